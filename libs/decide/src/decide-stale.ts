import { compare } from 'fast-json-patch';
import { TakesError, type PatchOperation } from '@takes/contracts';
import type { EntityDefinition } from '@takes/metadata';
import { overwrite, unzipTime, type PriorEvent, type RecordVersion } from '@takes/merge';
import type { AppendDecision, Decision, PendingEvent, StreamHead } from './decision';
import { checkRecord, type RecordCheck, type RecordCheckContext } from './record-checks';
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
): Decision {
  const { command, entity } = context;
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
    const event: PendingEvent = {
      type: 'lost_update',
      version: head.version + 1,
      prior_version: head.version,
      patch: compare(head.state, checked.state) as PatchOperation[],
      submitted: written.submitted,
      contested: [],
      overwritten: written.overwritten,
      ...stamp,
    };
    return { kind: 'append', events: [event], next: { version: event.version, state: checked.state, deleted: false }, outcome: 'applied', contested: [], reserve: uniqueChanges(entity, head.state, checked.state).reserve };
  }

  const merged = unzipTime({
    base: stale.base,
    head: { version: head.version, state: head.state, deleted: head.deleted },
    since: stale.since,
    edit: { command_id: command.command_id, parent: command.parent ?? null, device: command.device ?? null, submit_ts: stale.submitTs, op: command.op, data: command.data, patch: command.patch },
    policy: entity.merge_policy,
  });
  if (merged.kind === 'reject') return merged;
  if (merged.outcome !== 'shelved' && !merged.next.deleted) {
    const checked = checkRecord(merged.next.state, head.state, context, checks);
    if (!checked.ok) return shelve(head, merged.submitted, stamp);
  }
  return {
    kind: 'append',
    events: merged.events.map((event) => ({ ...event, ...stamp })),
    next: merged.next,
    outcome: merged.outcome,
    contested: merged.contested,
    reserve: uniqueChanges(entity, head.state, merged.next.state).reserve,
  };
}

/** An edit kept but not applied: a `shelved` event that changes nothing (so takes no unique value) and can be picked later. */
export function shelve(
  head: StreamHead,
  submitted: Record<string, unknown>,
  stamp: { base_version: number; branch_ts: string | null; submit_ts: string | null },
): AppendDecision {
  const event: PendingEvent = { type: 'shelved', version: head.version + 1, prior_version: head.version, patch: [], submitted, contested: [], ...stamp };
  return { kind: 'append', events: [event], next: { version: event.version, state: head.state, deleted: head.deleted }, outcome: 'shelved', contested: [], reserve: [] };
}
