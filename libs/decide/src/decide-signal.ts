import type { AppendCommand, SignalData } from '@takes/contracts';
import { afterCommitEvents, reject, type AfterCommitAction, type Decision, type StreamHead } from './decision';
import { checkRecord, RESTORE_CHECKS, type RecordCheckContext } from './record-checks';

/** The after-commit action a signal command's data asks for. */
function actionOf(data: SignalData): AfterCommitAction {
  return 'event' in data ? { type: 'send_event', event: data.event } : { type: 'webhook', request: data.webhook };
}

/**
 * A `signal` command (a workflow's send_event or webhook action): one event on the
 * record's stream at its head, changing nothing (`signaled` or `webhook_requested`). The
 * record must exist and not be deleted (decideRecord checked both) and the writer pass
 * the update permission's conditions on the record as it stands, as a restore does.
 */
export function decideSignal(command: AppendCommand, head: StreamHead, context: RecordCheckContext | null): Decision {
  if (!context) return reject('INVALID_PAYLOAD', `signal is for records of a defined entity, not ${command.entity}`);
  const checked = checkRecord(head.state, head.state, context, RESTORE_CHECKS);
  if (!checked.ok) return { kind: 'reject', error: checked.error };
  const at = { type: 'signaled' as const, version: head.version, prior_version: head.version, base_version: head.version, patch: [], submitted: {}, contested: [], branch_ts: command.branch_ts ?? null, submit_ts: command.submit_ts ?? null };
  const events = afterCommitEvents(at, [actionOf(command.data as SignalData)]);
  return { kind: 'append', events, next: { version: events[events.length - 1].version, state: head.state, deleted: false }, outcome: 'applied', contested: [], reserve: [] };
}
