import { compare } from 'fast-json-patch';
import { TakesError, type PatchOperation } from '@takes/contracts';
import type { MergePolicy } from '@takes/metadata';
import { editState, type EditedState, type IncomingEdit, type PriorEvent, type RecordVersion } from './edit';
import { changedPaths, changedPathsShared, clone, jsonEqual, overlaps, toPointer, valueAt, writeAt, type JsonObject } from './json-document';
import { resolveClaims } from './resolve-claims';
import { compareSubmitOrder, laterOf, liftAbove, submitOrderOf, type SubmitOrder } from './submit-order';
import { Timeline, type Claim, type Past } from './timeline';

/**
 * The name of the whole-record contest: what the merge puts in `contested` when the
 * record itself, not a field, was disputed (an edit against a concurrent delete, or a
 * delete against a concurrent edit). Field names starting with `_` belong to Takes, so
 * it names no field. A reviewer sees it in /history and settles it with /resolve,
 * picking `{"deleted": true|false}`.
 */
export const RECORD_FIELD = '_record';
export const RECORD_CONTEST = `/${RECORD_FIELD}`;

/** Whether a contested pointer is the whole-record contest (events stored before it had a name say ""). */
export function isRecordContest(pointer: string): boolean {
  return pointer === RECORD_CONTEST || pointer === '';
}

export type MergeOutcome = 'applied' | 'merged' | 'shelved';

/** An event the merge decided; the store adds ids, timestamps, user, device and position. */
export interface UnzippedEvent {
  type: 'updated' | 'merged' | 'shelved' | 'deleted' | 'restored';
  version: number;
  prior_version: number;
  /** RFC 6902 from state(prior_version) to state(version), made with fast-json-patch's compare. */
  patch: PatchOperation[];
  /** The client's values of the top-level fields it changed (null: it removed one). */
  submitted: Record<string, unknown>;
  contested: string[];
}

export interface UnzipInput {
  /** The record at the client's base version (the If-Match version). */
  base: RecordVersion;
  /** The locked stream head. */
  head: RecordVersion;
  /** Every event with base.version < version <= head.version, in version order. */
  since: readonly PriorEvent[];
  edit: IncomingEdit;
  policy: MergePolicy;
}

export type UnzipDecision =
  | {
      kind: 'append';
      outcome: MergeOutcome;
      /** One or more events to append after the head, numbered from head.version + 1. */
      events: UnzippedEvent[];
      /** The record after those events (version = the last event's). */
      next: RecordVersion;
      /** Every pointer the events list as contested. */
      contested: string[];
      /** The client's values, kept whatever happened to them. */
      submitted: Record<string, unknown>;
    }
  | { kind: 'reject'; error: TakesError };

type Draft = Omit<UnzippedEvent, 'version' | 'prior_version'>;

/**
 * Merges ("unzips time") one edit into a record whose head may have moved past the
 * version the client edited. Pure and deterministic: the same inputs give the same
 * decision, and under `field` every arrival order of the same concurrent edits leaves
 * the same record. Also right when the base is the head (outcome `applied`).
 *
 * The device's own offline chain (events in `since` linked to the edit by `parent`,
 * same device) is part of the edit's base: it never contests the edit.
 */
export function unzipTime(input: UnzipInput): UnzipDecision {
  const timeline = new Timeline(input.base, input.head, input.since);
  const { edit } = input;
  const chain = timeline.chainOf(edit.parent, edit.device, input.since.length);
  const past = timeline.pastOfEdit(edit.parent, edit.device);
  const concurrent = input.since.map((_, i) => i).filter((i) => !past.has(i) && timeline.isMainLine(i));

  switch (input.policy) {
    case 'reject':
      if (concurrent.length > 0) return rejectStale(timeline);
      return unzipByField(timeline, edit, chain, past, concurrent);
    case 'longest-chain':
      return unzipByLongestChain(timeline, edit, chain);
    case 'field':
    default:
      return unzipByField(timeline, edit, chain, past, concurrent);
  }
}

/** `reject`: 409 with the current record, its version and what changed since the base. */
function rejectStale(timeline: Timeline): UnzipDecision {
  const { base, head } = timeline;
  return {
    kind: 'reject',
    error: new TakesError('CONFLICT', `stale write: version ${base.version} was edited, the record is at version ${head.version}`, {
      version: head.version,
      base_version: base.version,
      current: head.state,
      deleted: head.deleted,
      diff: compare(base.state, head.state) as PatchOperation[],
    }),
  };
}

/** Whether the op makes sense on the record as the device saw it (decide's fresh-write rules). */
function checkOp(edit: IncomingEdit, sawDeleted: boolean): TakesError | null {
  if (edit.op === 'restore') return sawDeleted ? null : new TakesError('CONFLICT', 'the record was not deleted in the edited version');
  return sawDeleted ? new TakesError('NOT_FOUND', 'the record was deleted in the edited version', { deleted: true }) : null;
}

/**
 * `field`: for each path the client changed, the latest edit that changed it (or a
 * path inside or around it) wins, among the client and the events it did not see.
 * The new record is the head plus what adding the client's claims changes in the
 * resolution of all claims since the base.
 */
function unzipByField(timeline: Timeline, edit: IncomingEdit, chain: number[], past: Past, concurrent: number[]): UnzipDecision {
  const { head } = timeline;
  const invalid = checkOp(edit, timeline.clientBaseDeleted(chain));
  if (invalid) return { kind: 'reject', error: invalid };
  const edited = editState(timeline.clientBase(timeline.base.version, chain), edit);
  if (edited instanceof TakesError) return { kind: 'reject', error: edited };

  const rank = liftAbove(submitOrderOf(edit), timeline.highestRank(past));
  const wantsAlive = edit.op !== 'delete';
  let latest: { rank: SubmitOrder; alive: boolean } = { rank, alive: wantsAlive };
  let recordContested = false;
  for (const i of concurrent) {
    const alive = timeline.existenceOf(i) === 'alive';
    if (alive !== wantsAlive) recordContested = true;
    if (compareSubmitOrder(timeline.rankOf(i), latest.rank) > 0) latest = { rank: timeline.rankOf(i), alive };
  }
  const existenceHolds = latest.alive === wantsAlive;
  const flag = recordContested ? [RECORD_CONTEST] : [];
  const stale = concurrent.length > 0;
  const changedType = stale ? 'merged' : 'updated';

  if (edit.op === 'delete') {
    if (!existenceHolds && !head.deleted) return shelve(head, {}, flag);
    return appended(head, stale ? 'merged' : 'applied', [{ type: 'deleted', patch: [], submitted: {}, contested: flag }], head.state, true, {});
  }
  if (edit.op === 'restore') {
    if (!existenceHolds && head.deleted) return shelve(head, {}, flag);
    return appended(head, stale ? 'merged' : 'applied', [{ type: 'restored', patch: [], submitted: {}, contested: flag }], head.state, false, {});
  }
  // put or patch: an edit the record's delete had not seen restores it only if it was made later.
  if (head.deleted && !existenceHolds) return shelve(head, edited.submitted, flag);

  const sinceClaims: Claim[] = [];
  for (let i = 0; i < timeline.since.length; i++) timeline.claimsInto(i, sinceClaims);
  const ownClaims: Claim[] = edited.changes.map((change) => ({ ...change, rank, event: -1 }));
  const before = resolveClaims(timeline.base.state, sinceClaims);
  const after = resolveClaims(timeline.base.state, [...sinceClaims, ...ownClaims]);
  const next = clone(head.state);
  for (const change of changedPathsShared(before, after)) writeAt(next, change.path, change.value, after);

  const isConcurrent = new Array<boolean>(timeline.since.length).fill(false);
  for (const i of concurrent) isConcurrent[i] = true;
  const contested = [...flag, ...contestedPaths(ownClaims, sinceClaims.filter((claim) => isConcurrent[claim.event]))];
  const drafts: Draft[] = [];
  if (head.deleted) drafts.push({ type: 'restored', patch: [], submitted: {}, contested: [] });
  drafts.push({ type: changedType, patch: compare(head.state, next) as PatchOperation[], submitted: edited.submitted, contested });
  return appended(head, stale ? 'merged' : 'applied', drafts, next, false, edited.submitted);
}

/**
 * Pointers where the client's claims and those of edits it did not see overlap and say
 * different things, whoever won; the shorter of the two paths names the disputed value.
 */
function contestedPaths(own: Claim[], others: Claim[]): string[] {
  const out = new Set<string>();
  for (const mine of own) {
    for (const other of others) {
      if (!overlaps(mine.path, other.path)) continue;
      const [outer, inner] = mine.path.length <= other.path.length ? [mine, other] : [other, mine];
      if (!jsonEqual(valueAt(outer.value, inner.path.slice(outer.path.length)), inner.value)) out.add(toPointer(outer.path));
    }
  }
  return [...out].sort();
}

/**
 * `longest-chain`: the device's chain (this edit, plus its earlier offline edits found
 * in `since` through `parent` that are not on the main line) against the main line
 * since the fork, the last version both share: the later of the base and the device's
 * last edit that made it onto the main line. Counted in edits (commands). The longer
 * wins whole; a tie goes to the later submit. A winning chain sets the record to the
 * fork plus all its edits; a losing edit is appended as `shelved`.
 */
function unzipByLongestChain(timeline: Timeline, edit: IncomingEdit, chain: number[]): UnzipDecision {
  const { head, since } = timeline;
  const fork = Math.max(timeline.base.version, ...chain.filter((j) => timeline.isMainLine(j)).map((j) => since[j].version));
  const branch = chain.filter((j) => since[j].version > fork);
  const chainSet = new Set(chain);
  const main = since.map((_, i) => i).filter((i) => since[i].version > fork && timeline.isMainLine(i) && !chainSet.has(i));

  const forkDeleted = timeline.deletedAt(fork);
  const invalid = checkOp(edit, forkDeleted);
  if (invalid) return { kind: 'reject', error: invalid };
  const edited = editState(timeline.clientBase(fork, branch), edit);
  if (edited instanceof TakesError) return { kind: 'reject', error: edited };
  const deleted = edit.op === 'delete' ? true : edit.op === 'restore' ? false : forkDeleted;

  const mainLength = new Set(main.map((i) => since[i].command_id)).size;
  const chainLength = 1 + new Set(branch.map((j) => since[j].command_id)).size;
  if (mainLength === 0) return transition(head, edited, deleted, [], 'applied');

  const mainLatest = main.map((i) => submitOrderOf(since[i])).reduce(laterOf);
  const chainWins = chainLength > mainLength || (chainLength === mainLength && compareSubmitOrder(submitOrderOf(edit), mainLatest) > 0);
  const recordFlag = head.deleted !== forkDeleted && head.deleted !== deleted ? [RECORD_CONTEST] : [];
  if (chainWins) {
    const overridden = changedPaths(timeline.stateAt(fork), head.state)
      .filter((change) => !jsonEqual(valueAt(edited.state, change.path), change.value))
      .map((change) => toPointer(change.path));
    return transition(head, edited, deleted, [...recordFlag, ...overridden.sort()], 'merged');
  }
  const differing = edited.changes.filter((change) => !jsonEqual(valueAt(head.state, change.path), change.value)).map((change) => toPointer(change.path));
  return shelve(head, edited.submitted, [...recordFlag, ...differing.sort()]);
}

/** The events that take the head to the chain's record. */
function transition(head: RecordVersion, edited: EditedState, deleted: boolean, contested: string[], outcome: MergeOutcome): UnzipDecision {
  const patch = compare(head.state, edited.state) as PatchOperation[];
  const changed = outcome === 'applied' ? 'updated' : 'merged';
  const drafts: Draft[] = [];
  if (deleted) {
    drafts.push({ type: 'deleted', patch, submitted: edited.submitted, contested });
  } else if (head.deleted) {
    drafts.push({ type: 'restored', patch: [], submitted: {}, contested: patch.length === 0 ? contested : [] });
    if (patch.length > 0) drafts.push({ type: changed, patch, submitted: edited.submitted, contested });
  } else {
    drafts.push({ type: changed, patch, submitted: edited.submitted, contested });
  }
  return appended(head, outcome, drafts, edited.state, deleted, edited.submitted);
}

/** The edit is kept (its values in `submitted`) but changes nothing. */
function shelve(head: RecordVersion, submitted: Record<string, unknown>, contested: string[]): UnzipDecision {
  return appended(head, 'shelved', [{ type: 'shelved', patch: [], submitted, contested }], head.state, head.deleted, submitted);
}

function appended(
  head: RecordVersion,
  outcome: MergeOutcome,
  drafts: Draft[],
  state: JsonObject,
  deleted: boolean,
  submitted: Record<string, unknown>,
): UnzipDecision {
  const events = drafts.map((draft, i) => ({ ...draft, version: head.version + i + 1, prior_version: head.version + i }));
  const contested = [...new Set(events.flatMap((event) => event.contested))].sort();
  return { kind: 'append', outcome, events, next: { version: head.version + events.length, state, deleted }, contested, submitted };
}
