import type { ErrorDetail } from '@takes/contracts';
import { parseStateMachine, type StateMachine } from '@takes/state-machines';
import { actionWebhookProblems } from '@takes/webhooks';
import type { AppMetadata } from './app-metadata';
import { fieldOf } from './entity-definition';
import { isJsonObject, type Parsed } from './parsed';
import { metaIdProblem } from './rule-kind';

/**
 * A state machine as its `_meta` record `state_machine:<id>` stores it: Rocket's
 * `/_admin/state-machines` shape, normalized (initial and transitions under
 * `definition`), plus `name` (= id) for the registry. Plain JSON; its guards are
 * compiled when it is put in force.
 */
export interface StoredStateMachine {
  readonly name: string;
  readonly id: string;
  readonly entity: string;
  readonly field: string;
  readonly definition: { initial?: string; transitions: unknown[] };
  readonly active: boolean;
}

/** Reads a state machine as sent (its guards compiled, so a bad one is refused with where it is wrong). */
export function parseStoredStateMachine(input: unknown): Parsed<StoredStateMachine> {
  if (!isJsonObject(input)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a state machine must be a JSON object' }] };
  const id = (input.id ?? input.name) as string;
  const parsed = parseStateMachine({ ...input, id });
  const idProblems = metaIdProblem(input);
  if (!parsed.ok || idProblems.length > 0) return { ok: false, details: [...idProblems, ...(parsed.ok ? [] : parsed.details.map((detail) => ({ ...detail })))] };
  const merged: Record<string, unknown> = { ...input, ...(isJsonObject(input.definition) ? input.definition : {}) };
  const machine = parsed.value;
  const definition = { ...(machine.initial === undefined ? {} : { initial: machine.initial }), transitions: merged.transitions as unknown[] };
  return { ok: true, value: { name: id, id, entity: machine.entity, field: machine.field, definition, active: machine.active } };
}

export function compiledStateMachine(stored: StoredStateMachine): StateMachine | null {
  const parsed = parseStateMachine(stored);
  return parsed.ok ? { ...parsed.value, id: stored.id } : null;
}

/**
 * Why a state machine cannot be stored: its entity, its state field and the fields its
 * set_field actions set must exist, its create_record actions make records the store can
 * make, its webhook actions name a url the webhooks service can call.
 */
export function stateMachineProblems(stored: StoredStateMachine, metadata: AppMetadata): ErrorDetail[] {
  const entity = metadata.entities.get(stored.entity);
  if (!entity) return [{ field: 'entity', rule: 'exists', message: `unknown entity ${stored.entity}` }];
  const problems: ErrorDetail[] = [];
  if (!fieldOf(entity, stored.field)) problems.push({ field: 'field', rule: 'exists', message: `entity ${stored.entity} has no field ${stored.field}` });
  const machine = compiledStateMachine(stored);
  for (const [i, transition] of (machine?.transitions ?? []).entries()) {
    for (const [j, action] of transition.actions.entries()) {
      const at = `transitions[${i}].actions[${j}]`;
      if (action.type === 'set_field' && !fieldOf(entity, action.field)) {
        problems.push({ field: `${at}.field`, rule: 'exists', message: `entity ${stored.entity} has no field ${action.field}` });
      } else if (action.type === 'create_record') {
        problems.push(...createRecordProblems(action.entity, action.data, metadata, at));
      } else if (action.type === 'webhook') {
        problems.push(...actionWebhookProblems(action.url, action.method, at));
      }
    }
  }
  return problems;
}

/**
 * Why a create_record action cannot make its record: the entity must exist, the data name
 * only its fields, and its key be one the store can make (uuid or string) or be in the data.
 */
function createRecordProblems(name: string, data: Record<string, unknown>, metadata: AppMetadata, at: string): ErrorDetail[] {
  const target = metadata.entities.get(name);
  if (!target) return [{ field: `${at}.entity`, rule: 'exists', message: `unknown entity ${name}` }];
  const problems: ErrorDetail[] = Object.keys(data)
    .filter((field) => !fieldOf(target, field))
    .map((field) => ({ field: `${at}.data.${field}`, rule: 'exists', message: `entity ${name} has no field ${field}` }));
  const key = target.primary_key;
  if ((key.type === 'int' || key.type === 'bigint') && (data[key.field] === undefined || data[key.field] === null)) {
    problems.push({ field: `${at}.data.${key.field}`, rule: 'required', message: `entity ${name} has a ${key.type} key: the store makes uuid and string keys only, so the data must name ${key.field}` });
  }
  return problems;
}

/** The entity's state machines in force. */
export function stateMachinesOf(metadata: AppMetadata, entity: string): StateMachine[] {
  return [...metadata.stateMachines.values()].filter((machine) => machine.entity === entity);
}
