/**
 * State machine definitions in Rocket's shape (`/_admin/state-machines`, its
 * `_state_machines` table):
 *
 *   { "id"?, "entity", "field", "active"?: true,
 *     "definition": { "initial"?, "transitions": [
 *       { "from": "draft" | ["draft", "sent"], "to": "void", "roles"?: ["admin"],
 *         "guard"?: "record.total > 0" | null,
 *         "actions"?: [ { "type": "set_field", "field", "value" }   ("now" = the write's time)
 *                      | { "type": "create_record", "entity", "data"? }
 *                      | { "type": "webhook", "url", "method"? }
 *                      | { "type": "send_event", "event" } ] } ] } }
 *
 * `initial` and `transitions` may also sit at the top level, as Rocket's design page
 * writes them. Guards are compiled by @takes/rules when the machine is saved; a guard
 * is true when the transition is allowed.
 */
import { Checked, CompiledExpression, RuleDetail, compileExpression } from '@takes/rules';

export type TransitionAction =
  | { type: 'set_field'; field: string; value: unknown }
  | { type: 'create_record'; entity: string; data: Record<string, unknown> }
  | { type: 'webhook'; url: string; method: string }
  | { type: 'send_event'; event: string };

export interface Transition {
  from: string[];
  to: string;
  /** Empty: any role may make the transition. */
  roles: string[];
  guard?: CompiledExpression;
  actions: TransitionAction[];
}

export interface StateMachine {
  id: string;
  entity: string;
  field: string;
  active: boolean;
  initial?: string;
  transitions: Transition[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function stringList(value: unknown): string[] | null {
  if (isName(value)) return [value];
  return Array.isArray(value) && value.length > 0 && value.every(isName) ? value : null;
}

function parseAction(value: unknown, path: string, details: RuleDetail[]): TransitionAction | null {
  const bad = (message: string): null => {
    details.push({ field: path, rule: 'invalid', message });
    return null;
  };
  if (!isObject(value)) return bad(`${path} must be an object`);
  switch (value.type) {
    case 'set_field':
      return isName(value.field) ? { type: 'set_field', field: value.field, value: value.value ?? null } : bad(`${path}: set_field needs a field`);
    case 'create_record':
      if (!isName(value.entity)) return bad(`${path}: create_record needs an entity`);
      if (value.data !== undefined && !isObject(value.data)) return bad(`${path}: create_record data must be an object`);
      return { type: 'create_record', entity: value.entity, data: (value.data as Json | undefined) ?? {} };
    case 'webhook':
      if (!isName(value.url)) return bad(`${path}: webhook needs a url`);
      return { type: 'webhook', url: value.url, method: isName(value.method) ? value.method.toUpperCase() : 'POST' };
    case 'send_event':
      return isName(value.event) ? { type: 'send_event', event: value.event } : bad(`${path}: send_event needs an event name`);
    default:
      return bad(`${path}: type must be one of set_field, create_record, webhook, send_event`);
  }
}

function parseTransition(value: unknown, path: string, details: RuleDetail[]): Transition | null {
  if (!isObject(value)) {
    details.push({ field: path, rule: 'invalid', message: `${path} must be an object` });
    return null;
  }
  const before = details.length;
  const from = stringList(value.from);
  if (!from) details.push({ field: `${path}.from`, rule: 'required', message: `${path}.from must be a state or a list of states` });
  if (!isName(value.to)) details.push({ field: `${path}.to`, rule: 'required', message: `${path}.to must be a state` });
  const roles = value.roles === undefined || value.roles === null ? [] : stringList(value.roles);
  if (!roles) details.push({ field: `${path}.roles`, rule: 'type', message: `${path}.roles must be a list of role names` });
  let guard: CompiledExpression | undefined;
  if (value.guard !== undefined && value.guard !== null && value.guard !== '') {
    const compiled = typeof value.guard === 'string' ? compileExpression(value.guard) : null;
    if (compiled?.ok) guard = compiled.value;
    else if (compiled) for (const detail of compiled.details) details.push({ ...detail, field: `${path}.guard` });
    else details.push({ field: `${path}.guard`, rule: 'type', message: `${path}.guard must be an expression` });
  }
  const rawActions = value.actions ?? [];
  if (!Array.isArray(rawActions)) details.push({ field: `${path}.actions`, rule: 'type', message: `${path}.actions must be a list` });
  const actions = (Array.isArray(rawActions) ? rawActions : []).map((action, i) => parseAction(action, `${path}.actions[${i}]`, details));
  if (details.length > before || !from || !roles || !isName(value.to)) return null;
  return { from, to: value.to, roles, ...(guard ? { guard } : {}), actions: actions as TransitionAction[] };
}

/** Parses and checks a state machine as sent to `/_admin/state-machines`; a refusal lists every problem (a 422's details). */
export function parseStateMachine(json: unknown): Checked<StateMachine> {
  if (!isObject(json)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a state machine must be a JSON object' }] };
  const details: RuleDetail[] = [];
  const definition: Json = { ...json, ...(isObject(json.definition) ? json.definition : {}) };
  if (!isName(json.entity)) details.push({ field: 'entity', rule: 'required', message: 'entity is required' });
  if (!isName(json.field)) details.push({ field: 'field', rule: 'required', message: 'field is required' });
  const active = json.active ?? true;
  if (typeof active !== 'boolean') details.push({ field: 'active', rule: 'type', message: 'active must be true or false' });
  const initial = definition.initial;
  if (initial !== undefined && initial !== null && initial !== '' && !isName(initial)) {
    details.push({ field: 'initial', rule: 'type', message: 'initial must be a state' });
  }
  if (!Array.isArray(definition.transitions)) {
    details.push({ field: 'transitions', rule: 'required', message: 'transitions must be a list' });
  }
  const transitions = (Array.isArray(definition.transitions) ? definition.transitions : []).map((t, i) => parseTransition(t, `transitions[${i}]`, details));
  if (details.length > 0) return { ok: false, details };
  return {
    ok: true,
    value: {
      id: typeof json.id === 'string' ? json.id : '',
      entity: json.entity as string,
      field: json.field as string,
      active: active as boolean,
      ...(isName(initial) ? { initial } : {}),
      transitions: transitions as Transition[],
    },
  };
}
