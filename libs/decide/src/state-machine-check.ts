import { TakesError } from '@takes/contracts';
import { stateMachinesOf } from '@takes/metadata';
import { checkTransition } from '@takes/state-machines';
import type { AfterCommitAction } from './decision';
import type { RecordCheck, RecordCreate } from './record-checks';
import { changesBack, numericView } from './rule-checks';

/**
 * The entity's state machines, head state against next state: on create the initial
 * state is set (or another one refused); a change of the state field must be a
 * transition the machine lists (422 "Invalid transition from 'X' to 'Y'"), made by one of
 * its roles (403 FORBIDDEN) and passing its guard (422); its set_field actions are
 * applied, "now" being the store's clock for the write (context.now); its send_event and
 * webhook actions are returned to run after commit (decide appends a `signaled` or a
 * `webhook_requested` event for each), its create_record actions as creates (the store
 * adds each record to the same command).
 */
export const stateMachineCheck: RecordCheck = (next, previous, context) => {
  let state = next;
  const afterCommit: AfterCommitAction[] = [];
  const creates: RecordCreate[] = [];
  for (const machine of stateMachinesOf(context.metadata, context.entity.name)) {
    const view = numericView(context.entity, state);
    const outcome = checkTransition(machine, previous === undefined ? null : numericView(context.entity, previous), view, { user: { ...context.user }, now: context.now });
    if (outcome.kind === 'refused') {
      const details = outcome.details.map((detail) => ({ ...detail }));
      const error = outcome.status === 403 ? new TakesError('FORBIDDEN', details[0]?.message ?? 'transition not allowed', details) : new TakesError('VALIDATION_FAILED', details[0]?.message ?? 'validation failed', details);
      return { ok: false, error };
    }
    state = changesBack(state, view, outcome.record);
    if (outcome.kind !== 'allowed') continue;
    for (const action of outcome.actions) {
      if (action.type === 'send_event') afterCommit.push(action);
      else if (action.type === 'webhook') {
        const transition = { field: machine.field, from: outcome.from, to: outcome.to };
        afterCommit.push({ type: 'webhook', request: { url: action.url, method: action.method, source: `state_machine:${machine.id}`, transition } });
      } else if (action.type === 'create_record') creates.push({ entity: action.entity, data: action.data });
    }
  }
  return { ok: true, state, ...(afterCommit.length ? { afterCommit } : {}), ...(creates.length ? { creates } : {}) };
};
