/**
 * The step machine: given where an instance is and what just happened, what to do next.
 * Pure: the service performs what a move asks (sends the commands, stores the pause,
 * sets the timer) and records it in the instance's history.
 */
import { evaluateExpression, type ExpressionContext } from '@takes/rules';
import { parseDuration } from './duration';
import { END, isValueExpression, type WorkflowDefinition, type WorkflowStep } from './workflow-definition';

/** What expressions of an instance read. */
export interface InstanceScope {
  readonly context: Readonly<Record<string, unknown>>;
  readonly trigger: Readonly<Record<string, unknown>>;
}

/** One write an action step asks for; the service gives it its command id. */
export type PlannedWrite =
  | { readonly op: 'put'; readonly entity: string; readonly entity_id: string; readonly data: Record<string, unknown> }
  | { readonly op: 'create'; readonly entity: string; readonly data: Record<string, unknown> };

/** One send_event or webhook action of a step, on its record: an event that changes nothing. */
export interface PlannedSignal {
  readonly entity: string;
  readonly entity_id: string;
  readonly action: { readonly type: 'send_event'; readonly event: string } | { readonly type: 'webhook'; readonly url: string; readonly method: string };
}

/** What to do next. */
export type Move =
  /**
   * Send these writes (one command), then these signals in order (a command each, after
   * the writes are accepted); once every one is accepted, go to `next`.
   */
  | { readonly kind: 'act'; readonly step: string; readonly writes: readonly PlannedWrite[]; readonly signals: readonly PlannedSignal[]; readonly next: string }
  /** A condition was evaluated: record the outcome and go to `next`. */
  | { readonly kind: 'branch'; readonly step: string; readonly outcome: 'on_true' | 'on_false'; readonly next: string }
  /** An approval: pause until someone decides, or until the deadline (null: none). */
  | { readonly kind: 'wait'; readonly step: string; readonly deadline: Date | null }
  /** The workflow is done. */
  | { readonly kind: 'end' }
  /** The step cannot run (an expression failed, a record id is missing): stop, visibly. */
  | { readonly kind: 'fail'; readonly step: string; readonly message: string };

/** How a paused approval was decided. */
export type Decision = 'approve' | 'reject' | 'timeout';

/** The step of a definition by id. */
export function stepOf(definition: WorkflowDefinition, id: string): WorkflowStep | undefined {
  return definition.steps.find((step) => step.id === id);
}

/** The first step's id (every definition has one). */
export function firstStep(definition: WorkflowDefinition): string {
  return definition.steps[0]?.id ?? END;
}

function expressionContext(scope: InstanceScope, now: Date): ExpressionContext {
  return { context: scope.context, trigger: scope.trigger, now: now.toISOString() };
}

/** A value as a step uses it: an expression over {trigger, context} evaluated, anything else as it is. */
export function resolveValue(value: unknown, scope: InstanceScope, now: Date): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!isValueExpression(value)) return { ok: true, value };
  const result = evaluateExpression(value, expressionContext(scope, now), { scope: 'workflow' });
  return result.ok ? { ok: true, value: result.value ?? null } : { ok: false, message: `${value}: ${result.message}` };
}

/** The instance's context from the definition's mapping and the trigger (a path that fails is null). */
export function initialContext(definition: WorkflowDefinition, trigger: Record<string, unknown>, now: Date): Record<string, unknown> {
  const scope: InstanceScope = { context: {}, trigger };
  return Object.fromEntries(
    Object.entries(definition.context).map(([key, value]) => {
      const resolved = resolveValue(value, scope, now);
      return [key, resolved.ok ? resolved.value : null];
    }),
  );
}

/** A record id an action names, from its expression. */
function recordIdOf(expression: string, scope: InstanceScope, now: Date, at: string): { ok: true; id: string } | { ok: false; message: string } {
  const id = resolveValue(expression, scope, now);
  if (!id.ok) return { ok: false, message: `${at}: ${id.message}` };
  if (typeof id.value !== 'string' && typeof id.value !== 'number') return { ok: false, message: `${at}: ${expression} is not a record id` };
  return { ok: true, id: String(id.value) };
}

/** A step's writes (fields of one record set by the step are one write) and its signals, in the order listed. */
function planActions(step: Extract<WorkflowStep, { type: 'action' }>, scope: InstanceScope, now: Date): { writes: PlannedWrite[]; signals: PlannedSignal[] } | string {
  const writes: PlannedWrite[] = [];
  const signals: PlannedSignal[] = [];
  for (const [i, action] of step.actions.entries()) {
    if (action.type === 'set_field') {
      const id = recordIdOf(action.record_id, scope, now, `actions[${i}]`);
      if (!id.ok) return id.message;
      const value = resolveValue(action.value, scope, now);
      if (!value.ok) return `actions[${i}]: ${value.message}`;
      const same = writes.find((w): w is Extract<PlannedWrite, { op: 'put' }> => w.op === 'put' && w.entity === action.entity && w.entity_id === id.id);
      if (same) same.data[action.field] = value.value;
      else writes.push({ op: 'put', entity: action.entity, entity_id: id.id, data: { [action.field]: value.value } });
    } else if (action.type === 'create_record') {
      const data: Record<string, unknown> = {};
      for (const [field, raw] of Object.entries(action.data)) {
        const value = resolveValue(raw, scope, now);
        if (!value.ok) return `actions[${i}].data.${field}: ${value.message}`;
        data[field] = value.value;
      }
      writes.push({ op: 'create', entity: action.entity, data });
    } else {
      const id = recordIdOf(action.record_id, scope, now, `actions[${i}]`);
      if (!id.ok) return id.message;
      const planned = action.type === 'send_event' ? { type: action.type, event: action.event } : { type: action.type, url: action.url, method: action.method };
      signals.push({ entity: action.entity, entity_id: id.id, action: planned });
    }
  }
  return { writes, signals };
}

/** What entering a step (by its id, or END) asks for. */
export function enterStep(definition: WorkflowDefinition, id: string, scope: InstanceScope, now: Date): Move {
  if (id === END) return { kind: 'end' };
  const step = stepOf(definition, id);
  if (!step) return { kind: 'fail', step: id, message: `the definition has no step ${id}` };
  switch (step.type) {
    case 'action': {
      const planned = planActions(step, scope, now);
      if (typeof planned === 'string') return { kind: 'fail', step: id, message: planned };
      return { kind: 'act', step: id, writes: planned.writes, signals: planned.signals, next: step.then };
    }
    case 'condition': {
      const result = evaluateExpression(step.expression, expressionContext(scope, now), { scope: 'workflow' });
      if (!result.ok) return { kind: 'fail', step: id, message: `${step.expression}: ${result.message}` };
      const outcome = result.value === true ? 'on_true' : 'on_false';
      return { kind: 'branch', step: id, outcome, next: step[outcome] };
    }
    case 'approval': {
      const ms = step.timeout === null ? null : parseDuration(step.timeout);
      return { kind: 'wait', step: id, deadline: ms === null ? null : new Date(now.getTime() + ms) };
    }
  }
}

/** Where a paused approval goes once decided; null when `id` is not an approval step. */
export function decideApproval(definition: WorkflowDefinition, id: string, decision: Decision): string | null {
  const step = stepOf(definition, id);
  if (!step || step.type !== 'approval') return null;
  return decision === 'approve' ? step.on_approve : decision === 'reject' ? step.on_reject : step.on_timeout;
}

/** Who may decide an approval step: its assignee role (admins always) or its assignee user. */
export function mayDecide(definition: WorkflowDefinition, id: string, user: { id: string; roles: readonly string[] }): boolean {
  const step = stepOf(definition, id);
  if (!step || step.type !== 'approval') return false;
  if (step.assignee.type === 'user') return step.assignee.user_id === user.id;
  return user.roles.includes(step.assignee.role) || user.roles.includes('admin');
}
