import { compare } from 'fast-json-patch';
import { TakesError, type ErrorBody, type PatchOperation } from '@takes/contracts';
import type { EntityDefinition } from '@takes/metadata';
import { overwrite, unzipTime, type PriorEvent, type RecordVersion } from '@takes/merge';
import { afterCommitEvents, type AppendDecision, type Decision, type PendingEvent, type StreamHead } from './decision';
import { checkRecord, DELETE_CHECKS, type RecordCheck, type RecordCheckContext, type RecordCreate } from './record-checks';
import { clientFieldsDiffer, managedFields, stampTimestamps, topField } from './managed-fields';
import { uniqueChanges } from './unique-values';

/** What the store loads for a write whose base is older than the head (see isStaleEdit). */
export interface StaleContext {
  /** The record at the client's base version. */
  base: RecordVersion;
  /** Every event after the base, in version order. */
  since: PriorEvent[];
  /** The client's submit time clamped to [branch, now] (the store's clock at the start of the transaction). */
  submitTs: string;
  /** The branch time: the client's, or the base version's commit. */
  branchTs: string;
  /** When the base version was written (null when unknown); a client's branch time cannot be far before it. */
  baseCommitTs?: string | null;
}

/** The base, branch and submit times every event of a stale edit carries. */
export function staleStamp(stale: StaleContext): { base_version: number; branch_ts: string; submit_ts: string } {
  return { base_version: stale.base.version, branch_ts: stale.branchTs, submit_ts: stale.submitTs };
}

const conflict = (head: StreamHead, base: number) =>
  new TakesError('CONFLICT', `stale write: version ${base} was edited, the record is at version ${head.version}`, {
    version: head.version,
    base_version: base,
    current: head.state,
    deleted: head.deleted,
  });

/**
 * A stale write (base < head), by the entity's settings: history on → merged by its
 * merge policy ("unzipping time"); history off → rejected, or written over with a
 * `lost_update` event that carries the overwritten values. A merged result that the
 * record checks refuse is kept as a `shelved` event (nothing lost, nothing applied).
 */
export function decideStale(
  context: RecordCheckContext & { entity: EntityDefinition },
  head: StreamHead,
  stale: StaleContext,
  checks?: readonly RecordCheck[],
  deleteChecks: readonly RecordCheck[] = DELETE_CHECKS,
): Decision {
  const { command, entity } = context;
  const managed = managedFields(entity, context.metadata);
  const base = stale.base.version;
  const stamp = staleStamp(stale);
  if (command.op !== 'put' && command.op !== 'patch' && command.op !== 'delete' && command.op !== 'restore') {
    return { kind: 'reject', error: conflict(head, base) };
  }

  if (!entity.history) {
    if (entity.stale_write !== 'overwrite' || (command.op !== 'put' && command.op !== 'patch')) return { kind: 'reject', error: conflict(head, base) };
    if (head.deleted) return { kind: 'reject', error: new TakesError('NOT_FOUND', `${command.entity} ${command.entity_id} was deleted`) };
    const written = overwrite(stale.base.state, head.state, { op: command.op, data: command.data, patch: command.patch });
    if (written.kind === 'reject') return { kind: 'reject', error: written.error };
    const checked = checkRecord(written.nextState, head.state, context, checks);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
    if (!clientFieldsDiffer(head.state, checked.state, managed)) return unchangedHead(head);
    const state = stampTimestamps(entity, checked.state, 'update', context.now);
    // Values changed since the base and written over: a `lost_update` that carries them,
    // and the client is told (`overwritten`). Nothing lost: an ordinary update.
    const lost = Object.keys(written.overwritten).length > 0;
    const event: PendingEvent = {
      type: lost ? 'lost_update' : 'updated',
      version: head.version + 1,
      prior_version: head.version,
      patch: compare(head.state, state) as PatchOperation[],
      submitted: written.submitted,
      contested: [],
      ...(lost ? { overwritten: written.overwritten } : {}),
      ...stamp,
    };
    const appended = [event, ...afterCommitEvents(event, checked.afterCommit)];
    return {
      kind: 'append', events: appended, next: { version: appended[appended.length - 1].version, state, deleted: false }, outcome: lost ? 'overwritten' : 'applied',
      contested: [], reserve: uniqueChanges(entity, head.state, state).reserve, ...(checked.creates ? { creates: checked.creates } : {}),
    };
  }

  const merged = unzipTime({
    base: stale.base,
    head: { version: head.version, state: head.state, deleted: head.deleted },
    since: stale.since,
    edit: { command_id: command.command_id, parent: command.parent ?? null, device: command.device ?? null, submit_ts: stale.submitTs, op: command.op, data: command.data, patch: command.patch },
    policy: entity.merge_policy,
  });
  if (merged.kind === 'reject') return merged;
  // The merged result passes the record checks as an online write would; one they refuse
  // is shelved with the refusal as its reason. Managed fields (auto timestamps, the
  // soft-delete marker, computed fields) are the server's: never contested, and set on
  // the merged record from the write's time.
  const uncontested = (pointers: string[]) => (managed.size === 0 ? pointers : pointers.filter((p) => !managed.has(topField(p))));
  let next = merged.next;
  let creates: readonly RecordCreate[] | undefined;
  let events: PendingEvent[] = merged.events.map((event) => ({ ...event, contested: uncontested(event.contested), ...stamp }));
  if (changesNothing(events, head, merged.submitted)) return unchangedHead(head);
  if (merged.outcome !== 'shelved') {
    const deleting = merged.next.deleted && !head.deleted;
    const checked = merged.next.deleted
      ? deleting ? checkRecord(head.state, head.state, context, deleteChecks) : null
      : checkRecord(merged.next.state, head.state, context, checks);
    if (checked && !checked.ok) return shelve(head, merged.submitted, stamp, checked.error.toBody(), changedFields(head.state, merged.submitted));
    if (checked && !merged.next.deleted) {
      const state = clientFieldsDiffer(head.state, checked.state, managed) ? stampTimestamps(entity, checked.state, 'update', context.now) : checked.state;
      events = withFinalState(events, head.state, state);
      // A transition the merge made runs its send_event actions like an online write's.
      events = [...events, ...afterCommitEvents(events[events.length - 1], checked.afterCommit)];
      creates = checked.creates;
      next = { ...merged.next, state, version: events[events.length - 1].version };
    }
  }
  const contested = [...new Set(events.flatMap((event) => event.contested))].sort();
  return {
    kind: 'append',
    events,
    next,
    outcome: merged.outcome,
    contested,
    reserve: uniqueChanges(entity, head.state, next.state).reserve,
    ...(creates ? { creates } : {}),
  };
}

/** The record as it stands: a stale write that changes nothing appends nothing. */
function unchangedHead(head: StreamHead): AppendDecision {
  return { kind: 'append', events: [], next: { version: head.version, state: head.state, deleted: head.deleted }, outcome: 'unchanged', contested: [], reserve: [] };
}

/**
 * A merge that would append one edit event changing nothing, contesting nothing, whose
 * submitted values are the head's already (a PUT of only the key, an edit the record
 * already holds): nothing to keep.
 */
function changesNothing(events: { type: string; patch: PatchOperation[]; contested: string[] }[], head: StreamHead, submitted: Record<string, unknown>): boolean {
  if (events.length !== 1 || head.deleted) return false;
  const [event] = events;
  if ((event.type !== 'merged' && event.type !== 'updated') || event.patch.length > 0 || event.contested.length > 0) return false;
  return compare(pick(head.state, Object.keys(submitted)), pick(submitted, Object.keys(submitted))).length === 0;
}

function pick(state: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, state[key] ?? null]));
}

/** Pointers of the submitted fields whose value is not the head's: what a reviewer may pick from a shelved edit. */
function changedFields(state: Record<string, unknown>, submitted: Record<string, unknown>): string[] {
  return Object.keys(submitted)
    .filter((field) => JSON.stringify(state[field] ?? null) !== JSON.stringify(submitted[field] ?? null))
    .map((field) => `/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .sort();
}

/**
 * The merge's events with the last one's patch taken to the checked state (the checks
 * set computed fields). Only the last event changes the record's fields here: a
 * `restored` before it has an empty patch.
 */
function withFinalState<E extends { patch: PatchOperation[] }>(events: E[], headState: Record<string, unknown>, state: Record<string, unknown>): E[] {
  if (events.length === 0 || events.slice(0, -1).some((event) => event.patch.length > 0)) return events;
  const last = events[events.length - 1];
  return [...events.slice(0, -1), { ...last, patch: compare(headState, state) as PatchOperation[] }];
}

/** An edit kept but not applied: a `shelved` event that changes nothing (so takes no unique value) and can be picked later. */
export function shelve(
  head: StreamHead,
  submitted: Record<string, unknown>,
  stamp: { base_version: number; branch_ts: string | null; submit_ts: string | null },
  reason?: ErrorBody,
  contested: string[] = [],
): AppendDecision {
  const event: PendingEvent = {
    type: 'shelved',
    version: head.version + 1,
    prior_version: head.version,
    patch: [],
    submitted,
    contested,
    ...stamp,
    ...(reason ? { reason } : {}),
  };
  return { kind: 'append', events: [event], next: { version: event.version, state: head.state, deleted: head.deleted }, outcome: 'shelved', contested, reserve: [] };
}
