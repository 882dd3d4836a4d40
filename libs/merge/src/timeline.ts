import { applyPatch } from 'fast-json-patch';
import { TakesError } from '@takes/contracts';
import type { PriorEvent, RecordVersion } from './edit';
import { changedPaths, clone, overlay, type Json, type JsonObject } from './json-document';
import { compareSubmitOrder, liftAbove, submitOrderOf, type SubmitOrder } from './submit-order';

/** One edit's say over one path: "the value here is `value`", ranked by when it was made. */
export interface Claim {
  path: string[];
  value: Json;
  rank: SubmitOrder;
  /** Index in `since`, or -1 for the incoming edit. */
  event: number;
}

export type Existence = 'alive' | 'deleted';

const EDIT_TYPES = new Set(['updated', 'merged']);
const ALIVE_TYPES = new Set(['created', 'updated', 'merged', 'restored', 'resolved', 'lost_update']);

/**
 * The events after the client's base, read once: the state at every version, each
 * event's causal past (what its own base already held), its rank and its claims.
 */
export class Timeline {
  private readonly states: JsonObject[] = [];
  private readonly deletedFlags: boolean[] = [];
  private readonly byCommand = new Map<string, number[]>();
  private readonly pasts = new Map<number, Set<number>>();
  private readonly ranks = new Map<number, SubmitOrder>();

  constructor(
    readonly base: RecordVersion,
    readonly head: RecordVersion,
    readonly since: readonly PriorEvent[],
  ) {
    if (since.length !== head.version - base.version || since.some((e, i) => e.version !== base.version + i + 1)) {
      throw new TakesError('INTERNAL_ERROR', `the merge needs every event after version ${base.version} up to ${head.version}, in order`);
    }
    let state = base.state;
    let deleted = base.deleted;
    this.states.push(state);
    this.deletedFlags.push(deleted);
    since.forEach((event, i) => {
      state = applyStored(state, event);
      if (event.type === 'created' || event.type === 'restored') deleted = false;
      if (event.type === 'deleted') deleted = true;
      this.states.push(state);
      this.deletedFlags.push(deleted);
      const list = this.byCommand.get(event.command_id) ?? [];
      list.push(i);
      this.byCommand.set(event.command_id, list);
    });
  }

  /** The record's state at a version between the base and the head. */
  stateAt(version: number): JsonObject {
    return this.states[version - this.base.version];
  }

  deletedAt(version: number): boolean {
    return this.deletedFlags[version - this.base.version];
  }

  /**
   * The offline chain that `parent` points into: events before index `before`, of the
   * same device, linked command by command through `parent`. Ascending indices.
   */
  chainOf(parent: string | null | undefined, device: string | null, before: number): number[] {
    const out: number[] = [];
    const seen = new Set<string>();
    let command = parent ?? null;
    while (command !== null && !seen.has(command)) {
      seen.add(command);
      const members = (this.byCommand.get(command) ?? []).filter((j) => j < before && this.since[j].device === device);
      if (members.length === 0) break;
      out.push(...members);
      command = this.since[members[0]].parent ?? null;
    }
    return out.sort((a, b) => a - b);
  }

  /** Indices of the events a since-event's own base already held (its causal past). */
  pastOf(i: number): Set<number> {
    const known = this.pasts.get(i);
    if (known) return known;
    const event = this.since[i];
    const past = new Set<number>();
    for (let j = 0; j < i; j++) {
      if (this.since[j].version <= event.base_version || this.since[j].command_id === event.command_id) past.add(j);
    }
    for (const j of this.chainOf(event.parent, event.device, i)) {
      past.add(j);
      for (const k of this.pastOf(j)) past.add(k);
    }
    this.pasts.set(i, past);
    return past;
  }

  /** The causal past of a new edit with this parent and device: its chain and what those held. */
  pastOfEdit(parent: string | null | undefined, device: string | null): Set<number> {
    const past = new Set<number>();
    for (const j of this.chainOf(parent, device, this.since.length)) {
      past.add(j);
      for (const k of this.pastOf(j)) past.add(k);
    }
    return past;
  }

  rankOf(i: number): SubmitOrder {
    const known = this.ranks.get(i);
    if (known) return known;
    const rank = liftAbove(submitOrderOf(this.since[i]), this.highestRank(this.pastOf(i)));
    this.ranks.set(i, rank);
    return rank;
  }

  highestRank(indices: Iterable<number>): SubmitOrder | null {
    let best: SubmitOrder | null = null;
    for (const j of indices) {
      const rank = this.rankOf(j);
      if (!best || compareSubmitOrder(rank, best) > 0) best = rank;
    }
    return best;
  }

  /**
   * The state an edit was made on: its base version with the submitted values of its
   * chain's earlier edits (after that base) on top, as the device had it offline.
   */
  clientBase(baseVersion: number, chain: number[]): JsonObject {
    let state = this.stateAt(Math.max(baseVersion, this.base.version));
    for (const j of chain) if (this.since[j].version > baseVersion) state = overlay(state, this.since[j].submitted ?? {});
    return state;
  }

  /** Whether the device saw the record deleted when it made an edit on this base and chain. */
  clientBaseDeleted(chain: number[]): boolean {
    let deleted = this.base.deleted;
    for (const j of chain) {
      if (this.since[j].type === 'deleted') deleted = true;
      if (this.since[j].type === 'restored') deleted = false;
    }
    return deleted;
  }

  /** Whether the event was on the main line (shelved and unknown events are not). */
  isMainLine(i: number): boolean {
    return this.existenceOf(i) !== null;
  }

  existenceOf(i: number): Existence | null {
    const type = this.since[i].type;
    if (type === 'deleted') return 'deleted';
    return ALIVE_TYPES.has(type) ? 'alive' : null;
  }

  /**
   * What an event said about the record's fields. For an edit made on the base or later
   * (updated, merged), all the paths its client changed, won or lost, rebuilt from its
   * submitted values on top of the state it was made on, so a merge is a function of
   * the set of edits and not of the order they came in. For other events (a pick, an
   * edit on an older base, a create), what its patch changed.
   */
  claimsOf(i: number): Claim[] {
    const event = this.since[i];
    if (!this.isMainLine(i)) return [];
    const rank = this.rankOf(i);
    if (EDIT_TYPES.has(event.type) && event.base_version >= this.base.version) {
      const before = this.clientBase(event.base_version, this.chainOf(event.parent, event.device, i));
      const after = overlay(before, event.submitted ?? {});
      return changedPaths(before, after).map((change) => ({ ...change, rank, event: i }));
    }
    return changedPaths(this.stateAt(event.version - 1), this.stateAt(event.version)).map((change) => ({ ...change, rank, event: i }));
  }
}

function applyStored(state: JsonObject, event: PriorEvent): JsonObject {
  if (event.patch.length === 0) return state;
  try {
    return applyPatch(clone(state), event.patch as never, false, true).newDocument as JsonObject;
  } catch {
    throw new TakesError('INTERNAL_ERROR', `event ${event.id} (version ${event.version}) does not apply to the version before it`);
  }
}
