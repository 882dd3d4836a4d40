/**
 * Workflow definitions in Rocket's shape (`/_admin/workflows`, its `_workflows` table):
 *
 *   { "name", "active"?: true, "roles"?: ["admin"],
 *     "trigger": { "type": "state_change", "entity", "field", "to", "from"? },
 *     "context": { "record_id": "trigger.record_id", "amount": "trigger.record.amount", "kind": "po" },
 *     "steps": [
 *       { "id", "type": "action", "actions": [ { "type": "set_field", "entity"?, "record_id"?, "field", "value" }
 *                                             | { "type": "create_record", "entity", "data" }
 *                                             | { "type": "send_event", "event", "entity"?, "record_id"? }
 *                                             | { "type": "webhook", "url", "method"?, "entity"?, "record_id"? } ], "then"? },
 *       { "id", "type": "condition", "expression": "context.amount > 1000", "on_true"?, "on_false"? },
 *       { "id", "type": "approval", "assignee": { "type": "role", "role" } | { "type": "user", "user_id" },
 *         "timeout"?: "72h", "on_approve"?, "on_reject"?, "on_timeout"? } ] }
 *
 * A goto is `{"goto": "<step id>"}`, `{"goto": "end"}` or `"end"`; a missing one ends the
 * workflow. The first step runs first. A string value that starts with `trigger.` or
 * `context.` is an expression over {trigger, context} (a context mapping, a record id, a
 * value to set); any other value is taken as it is. `roles` (Takes' addition) are the
 * roles the workflow's writes carry (default admin); its user id is `workflow:<id>`.
 * send_event and webhook act on a record (the trigger's by default), as events on its
 * stream that change nothing: a `signaled` event, or a `webhook_requested` event the
 * webhooks service calls after commit, signed with the workflow's own secret.
 */
import type { ErrorDetail } from '@takes/contracts';
import { compileExpression } from '@takes/rules';
import { actionWebhookProblems } from '@takes/webhooks';
import { parseDuration } from './duration';

/** Where a step goes next: a step id, or END. */
export const END = 'end';

export interface StateChangeTrigger {
  readonly type: 'state_change';
  readonly entity: string;
  readonly field: string;
  readonly to: string;
  /** Only moves from one of these values (absent: from any other value, a create included). */
  readonly from?: readonly string[];
}

export type WorkflowAction =
  | { readonly type: 'set_field'; readonly entity: string; readonly record_id: string; readonly field: string; readonly value: unknown }
  | { readonly type: 'create_record'; readonly entity: string; readonly data: Readonly<Record<string, unknown>> }
  | { readonly type: 'send_event'; readonly entity: string; readonly record_id: string; readonly event: string }
  | { readonly type: 'webhook'; readonly entity: string; readonly record_id: string; readonly url: string; readonly method: string };

export type Assignee = { readonly type: 'role'; readonly role: string } | { readonly type: 'user'; readonly user_id: string };

export type WorkflowStep =
  | { readonly id: string; readonly type: 'action'; readonly actions: readonly WorkflowAction[]; readonly then: string }
  | { readonly id: string; readonly type: 'condition'; readonly expression: string; readonly on_true: string; readonly on_false: string }
  | {
      readonly id: string;
      readonly type: 'approval';
      readonly assignee: Assignee;
      readonly timeout: string | null;
      readonly on_approve: string;
      readonly on_reject: string;
      readonly on_timeout: string;
    };

/** A workflow as stored (`_meta` record `workflow:<id>`): plain JSON, normalized, gotos as step ids or END. */
export interface WorkflowDefinition {
  /** The registry name: the id. */
  readonly name: string;
  readonly id: string;
  /** Rocket's `name` of the workflow. */
  readonly title: string;
  readonly trigger: StateChangeTrigger;
  readonly context: Readonly<Record<string, unknown>>;
  readonly steps: readonly WorkflowStep[];
  readonly roles: readonly string[];
  readonly active: boolean;
}

export type ParsedWorkflow = { ok: true; value: WorkflowDefinition } | { ok: false; details: ErrorDetail[] };

type Json = Record<string, unknown>;
const STEP_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const PATH_VALUE = /^(trigger|context)\./;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Whether a value is an expression over {trigger, context} rather than a literal. */
export function isValueExpression(value: unknown): value is string {
  return typeof value === 'string' && PATH_VALUE.test(value);
}

class Problems {
  readonly details: ErrorDetail[] = [];
  add(field: string, rule: string, message: string): void {
    this.details.push({ field, rule, message });
  }
  /** Compiles an expression in the workflow scope; a refusal names where it is wrong. */
  expression(field: string, text: string): void {
    const compiled = compileExpression(text, { scope: 'workflow' });
    if (!compiled.ok) for (const detail of compiled.details) this.details.push({ ...detail, field });
  }
  /** Every value of a mapping: expressions are compiled, literals taken as they are. */
  values(field: string, values: Json): void {
    for (const [key, value] of Object.entries(values)) if (isValueExpression(value)) this.expression(`${field}.${key}`, value);
  }
}

/** A goto as sent (`{goto}`, `"end"`, absent) as a step id or END; null when it is neither. */
function parseGoto(value: unknown, field: string, problems: Problems): string {
  if (value === undefined || value === null) return END;
  const target = isObject(value) ? value.goto : value;
  if (isText(target)) return target;
  problems.add(field, 'goto', `${field} must be {"goto": "<step id>"} or "end"`);
  return END;
}

function parseTrigger(value: unknown, problems: Problems): StateChangeTrigger {
  const trigger = isObject(value) ? value : {};
  if (!isObject(value)) problems.add('trigger', 'required', 'trigger must be an object {type, entity, field, to}');
  if (trigger.type !== 'state_change') problems.add('trigger.type', 'unsupported', 'trigger.type must be "state_change" (the one trigger type Rocket documents)');
  for (const key of ['entity', 'field'] as const) if (!isText(trigger[key])) problems.add(`trigger.${key}`, 'required', `trigger.${key} is required`);
  if (!isText(trigger.to)) problems.add('trigger.to', 'required', 'trigger.to is the value the field moves to');
  const from = trigger.from === undefined ? undefined : Array.isArray(trigger.from) ? trigger.from : [trigger.from];
  if (from && !from.every(isText)) problems.add('trigger.from', 'type', 'trigger.from must be a value or a list of values');
  return {
    type: 'state_change',
    entity: String(trigger.entity ?? ''),
    field: String(trigger.field ?? ''),
    to: String(trigger.to ?? ''),
    ...(from ? { from: from.map(String) } : {}),
  };
}

/** The record an action acts on: `entity` (the trigger's by default) and `record_id` (an expression, `trigger.record_id` by default). */
function recordTarget(value: Record<string, unknown>, at: string, entity: string, problems: Problems): { entity: string; record_id: string } {
  const recordId = value.record_id ?? 'trigger.record_id';
  if (!isValueExpression(recordId)) problems.add(`${at}.record_id`, 'expression', `${at}.record_id must be a path such as "context.record_id"`);
  else problems.expression(`${at}.record_id`, recordId);
  return { entity: isText(value.entity) ? value.entity : entity, record_id: String(recordId) };
}

function parseAction(value: unknown, at: string, entity: string, problems: Problems): WorkflowAction | null {
  if (!isObject(value)) {
    problems.add(at, 'type', `${at} must be an object`);
    return null;
  }
  switch (value.type) {
    case 'set_field': {
      if (!isText(value.field)) problems.add(`${at}.field`, 'required', `${at}.field is required`);
      if (!('value' in value)) problems.add(`${at}.value`, 'required', `${at}.value is required`);
      if (isValueExpression(value.value)) problems.expression(`${at}.value`, value.value);
      const target = recordTarget(value, at, entity, problems);
      return { type: 'set_field', ...target, field: String(value.field ?? ''), value: value.value };
    }
    case 'create_record': {
      if (!isText(value.entity)) problems.add(`${at}.entity`, 'required', `${at}.entity is required`);
      const data = value.data ?? {};
      if (!isObject(data)) problems.add(`${at}.data`, 'type', `${at}.data must be an object`);
      else problems.values(`${at}.data`, data);
      return { type: 'create_record', entity: String(value.entity ?? ''), data: isObject(data) ? data : {} };
    }
    case 'webhook': {
      problems.details.push(...actionWebhookProblems(value.url, value.method, at));
      const method = typeof value.method === 'string' ? value.method.toUpperCase() : 'POST';
      return { type: 'webhook', ...recordTarget(value, at, entity, problems), url: String(value.url ?? ''), method };
    }
    case 'send_event':
      if (!isText(value.event)) problems.add(`${at}.event`, 'required', `${at}.event is required (the event's name)`);
      return { type: 'send_event', ...recordTarget(value, at, entity, problems), event: String(value.event ?? '') };
    default:
      problems.add(`${at}.type`, 'enum', `${at}.type must be set_field, create_record, send_event or webhook`);
      return null;
  }
}

function parseAssignee(value: unknown, at: string, problems: Problems): Assignee {
  if (isObject(value) && value.type === 'role' && isText(value.role)) return { type: 'role', role: value.role };
  if (isObject(value) && value.type === 'user' && isText(value.user_id)) return { type: 'user', user_id: value.user_id };
  if (isObject(value) && value.type === 'relation') problems.add(at, 'unsupported', 'relation assignees are not supported yet; name a role or a user');
  else problems.add(at, 'required', `${at} must be {"type": "role", "role"} or {"type": "user", "user_id"}`);
  return { type: 'role', role: '' };
}

function parseStep(value: unknown, at: string, entity: string, problems: Problems): WorkflowStep | null {
  if (!isObject(value)) {
    problems.add(at, 'type', `${at} must be an object`);
    return null;
  }
  const id = String(value.id ?? '');
  if (!STEP_ID.test(id) || id === END) problems.add(`${at}.id`, 'pattern', `${at}.id must be a name (letters, digits, _ or -), not "end"`);
  switch (value.type) {
    case 'action': {
      const list = Array.isArray(value.actions) ? value.actions : [];
      if (list.length === 0) problems.add(`${at}.actions`, 'required', `${at}.actions must list at least one action`);
      const actions = list.map((action, i) => parseAction(action, `${at}.actions[${i}]`, entity, problems)).filter((a): a is WorkflowAction => a !== null);
      return { id, type: 'action', actions, then: parseGoto(value.then, `${at}.then`, problems) };
    }
    case 'condition': {
      if (!isText(value.expression)) problems.add(`${at}.expression`, 'required', `${at}.expression is required`);
      else problems.expression(`${at}.expression`, value.expression);
      return {
        id,
        type: 'condition',
        expression: String(value.expression ?? ''),
        on_true: parseGoto(value.on_true, `${at}.on_true`, problems),
        on_false: parseGoto(value.on_false, `${at}.on_false`, problems),
      };
    }
    case 'approval': {
      const timeout = value.timeout === undefined || value.timeout === null ? null : String(value.timeout);
      if (timeout !== null && parseDuration(timeout) === null) problems.add(`${at}.timeout`, 'duration', `${at}.timeout must be a duration such as "30s", "15m", "72h" or "7d"`);
      return {
        id,
        type: 'approval',
        assignee: parseAssignee(value.assignee, `${at}.assignee`, problems),
        timeout,
        on_approve: parseGoto(value.on_approve, `${at}.on_approve`, problems),
        on_reject: parseGoto(value.on_reject, `${at}.on_reject`, problems),
        on_timeout: parseGoto(value.on_timeout, `${at}.on_timeout`, problems),
      };
    }
    case 'wait':
    case 'parallel':
      problems.add(`${at}.type`, 'unsupported', `${String(value.type)} steps are not supported yet`);
      return null;
    default:
      problems.add(`${at}.type`, 'enum', `${at}.type must be action, condition or approval`);
      return null;
  }
}

/** Every goto of a step, with where it is written. */
export function gotosOf(step: WorkflowStep): { field: string; target: string }[] {
  switch (step.type) {
    case 'action':
      return [{ field: 'then', target: step.then }];
    case 'condition':
      return [
        { field: 'on_true', target: step.on_true },
        { field: 'on_false', target: step.on_false },
      ];
    case 'approval':
      return [
        { field: 'on_approve', target: step.on_approve },
        { field: 'on_reject', target: step.on_reject },
        { field: 'on_timeout', target: step.on_timeout },
      ];
  }
}

/**
 * Gotos to steps that do not exist, ids used twice, and loops of action steps only (a
 * loop through no approval and no condition would act for ever without pausing).
 */
function graphProblems(steps: readonly WorkflowStep[], problems: Problems): void {
  const index = new Map<string, number>();
  steps.forEach((step, i) => {
    if (index.has(step.id)) problems.add(`steps[${i}].id`, 'unique', `step id ${step.id} is used twice`);
    else index.set(step.id, i);
  });
  steps.forEach((step, i) => {
    for (const { field, target } of gotosOf(step)) {
      if (target !== END && !index.has(target)) problems.add(`steps[${i}].${field}`, 'exists', `no step ${target} (a goto names a step id or "end")`);
    }
  });
  const reported = new Set<string>();
  for (const start of steps) {
    const seen: string[] = [];
    let current: WorkflowStep | undefined = start;
    while (current && current.type === 'action' && !seen.includes(current.id)) {
      seen.push(current.id);
      current = current.then === END ? undefined : steps[index.get(current.then) ?? -1];
    }
    if (current && current.type === 'action' && current.id === start.id && !reported.has(start.id)) {
      seen.forEach((id) => reported.add(id));
      problems.add(`steps[${index.get(start.id)}].then`, 'cycle', `steps ${seen.join(' → ')} → ${start.id} loop with no approval or condition in them`);
    }
  }
}

/** Reads a workflow as sent: every problem at once, each with where it is. */
export function parseWorkflow(input: unknown): ParsedWorkflow {
  const problems = new Problems();
  if (!isObject(input)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a workflow must be a JSON object' }] };
  const id = String(input.id ?? '');
  if (!NAME.test(id)) problems.add('id', 'pattern', 'id must be 1 to 100 letters, digits, _ . or -');
  const title = input.title ?? input.name;
  if (!isText(title)) problems.add('name', 'required', 'name is required');
  const trigger = parseTrigger(input.trigger, problems);
  const context = input.context ?? {};
  if (!isObject(context)) problems.add('context', 'type', 'context must be an object of names to values or paths');
  else problems.values('context', context);
  const list = Array.isArray(input.steps) ? input.steps : [];
  if (list.length === 0) problems.add('steps', 'required', 'steps must list at least one step');
  const steps = list.map((step, i) => parseStep(step, `steps[${i}]`, trigger.entity, problems)).filter((s): s is WorkflowStep => s !== null);
  if (problems.details.length === 0) graphProblems(steps, problems);
  const roles = input.roles ?? ['admin'];
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isText)) problems.add('roles', 'type', 'roles must be a non-empty list of role names');
  if (input.active !== undefined && typeof input.active !== 'boolean') problems.add('active', 'type', 'active must be true or false');
  if (problems.details.length > 0) return { ok: false, details: problems.details };
  return {
    ok: true,
    value: {
      name: id,
      id,
      title: String(title),
      trigger,
      context: context as Json,
      steps,
      roles: roles as string[],
      active: input.active !== false,
    },
  };
}
