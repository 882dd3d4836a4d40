import { TakesError, type AppendCommand } from '@takes/contracts';
import type { EntityDefinition } from '@takes/metadata';
import { RECORD_FIELD, isRecordContest } from '@takes/merge';
import type { Decision, PendingEvent, StreamHead } from './decision';
import { keyRefusal, managedRefusal, topField } from './managed-fields';
import { checkRecord, type RecordCheck, type RecordCheckContext } from './record-checks';

/** Whether a resolve command picks the whole-record contest (`/_record`: deleted or not). */
export function isRecordPick(command: AppendCommand): boolean {
  return command.op === 'resolve' && isRecordContest((command.data as { field?: string } | undefined)?.field ?? '');
}

/**
 * Why a reviewer cannot pick this field, or null: the key never changes and a managed
 * field is the server's (422 VALIDATION_FAILED naming the field). `/_record`, the
 * whole-record contest, can be picked.
 */
export function pickRefusal(entity: EntityDefinition, managed: Set<string>, pointer: string): TakesError | null {
  if (pointer === '' || topField(pointer) === entity.primary_key.field) return keyRefusal(entity.primary_key.field);
  if (isRecordContest(pointer)) return null;
  const top = topField(pointer);
  return managed.has(top) ? managedRefusal(top) : null;
}

/**
 * A reviewer settles a whole-record contest (an edit against a delete): `value` is
 * `{"deleted": true|false}`. When that is not how the record stands, a `deleted` (after
 * the delete checks) or a `restored` event comes first; then a `resolved` event that
 * changes no field and submits `{"_record": {"deleted": …}}`, which takes the contest
 * out of the review queue.
 */
export function decideRecordPick(context: RecordCheckContext, head: StreamHead, deleteChecks: readonly RecordCheck[]): Decision {
  const { command } = context;
  const value = (command.data as { value?: unknown }).value;
  if (!isDeletedChoice(value)) {
    return {
      kind: 'reject',
      error: new TakesError('VALIDATION_FAILED', 'validation failed', [
        { field: 'value', rule: 'type', message: `a pick of ${RECORD_FIELD} is {"deleted": true} or {"deleted": false}` },
      ]),
    };
  }
  const events: PendingEvent[] = [];
  const stamp = { base_version: head.version, branch_ts: command.branch_ts ?? null, submit_ts: command.submit_ts ?? null };
  const add = (event: Pick<PendingEvent, 'type' | 'submitted'>) => {
    const version = head.version + events.length + 1;
    events.push({ ...event, version, prior_version: version - 1, patch: [], contested: [], ...stamp });
  };
  if (value.deleted && !head.deleted) {
    const checked = checkRecord(head.state, head.state, context, deleteChecks);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
    add({ type: 'deleted', submitted: {} });
  } else if (!value.deleted && head.deleted) {
    add({ type: 'restored', submitted: {} });
  }
  add({ type: 'resolved', submitted: { [RECORD_FIELD]: { deleted: value.deleted } } });
  const version = head.version + events.length;
  return { kind: 'append', events, next: { version, state: head.state, deleted: value.deleted }, outcome: 'applied', contested: [], reserve: [] };
}

function isDeletedChoice(value: unknown): value is { deleted: boolean } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.keys(value).length === 1 && typeof (value as { deleted?: unknown }).deleted === 'boolean'
  );
}
