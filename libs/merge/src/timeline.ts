import type { Operation } from 'fast-json-patch';
import { deletedAfter, effectOf, evolveWith, TakesError } from '@takes/contracts';
import type { PriorEvent, RecordVersion } from './edit';
import { forEachChange, setOwn, type Json, type JsonObject } from './json-document';
import { applyPatchShared } from './shared-patch';
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

/**
 * A set of indices into `since`: every index up to `upTo` (-1: none), plus `others`.
 * A causal past is mostly a prefix (what the edit's base version held), so it is kept
 * as one number and the few indices past it.
 */
export class Past {
  constructor(
    readonly upTo: number,
    readonly others: ReadonlySet<number>,
  ) {}

  has(i: number): boolean {
    return i <= this.upTo || this.others.has(i);
  }
}

/**
 * An event's chain, kept as its links (see Timeline.linksAt) and `rest`, the event whose
 * chain holds the other members (-1: the links are the whole chain), and whether the
 * walk that found it was closed (see Timeline.walkChain).
 */
interface Chain {
  links: readonly number[];
  rest: number;
  closed: boolean;
}

const NO_EVENTS: readonly number[] = [];
/** The chain of an event without a parent: a walk that looked at no command. */
const NO_CHAIN: Chain = { links: NO_EVENTS, rest: -1, closed: true };

/** The later of two ranks; null stands for "no rank" (an empty past). */
function later(a: SubmitOrder | null, b: SubmitOrder | null): SubmitOrder | null {
  if (!a) return b;
  if (!b) return a;
  return compareSubmitOrder(b, a) > 0 ? b : a;
}

/**
 * The events after the client's base, read once: the state at every version, each
 * event's causal past (what its own base already held), its rank and its claims.
 *
 * Documents are shared, not copied: the state at each version shares every part its
 * event did not touch with the version before (and with `base.state`), so reading the
 * timeline costs what the events changed, not a copy of the record per event. Nothing
 * here or in its callers writes into them.
 */
export class Timeline {
  private readonly states: JsonObject[] = [];
  private readonly deletedFlags: boolean[] = [];
  /**
   * The events of each command, in index order, as a list: the first one's index, and
   * for each event the index of its command's next event (-1: none). A command most
   * often appends one event, so no array per command.
   */
  private readonly firstOfCommand = new Map<string, number>();
  private readonly nextOfCommand: Int32Array;
  /** Filled in index order. */
  private readonly chains: Chain[] = [];
  /** Filled in index order, since an event's rank depends on earlier events only. */
  private readonly ranks: SubmitOrder[] = [];
  /** pastRanks[i]: the highest rank in event i's causal past (null: empty). */
  private readonly pastRanks: (SubmitOrder | null)[] = [];
  /** prefixRanks[i]: the highest rank among events 0..i. */
  private readonly prefixRanks: SubmitOrder[] = [];

  constructor(
    readonly base: RecordVersion,
    readonly head: RecordVersion,
    readonly since: readonly PriorEvent[],
  ) {
    if (since.length !== head.version - base.version || since.some((e, i) => e.version !== base.version + i + 1)) {
      throw new TakesError('INTERNAL_ERROR', `the merge needs every event after version ${base.version} up to ${head.version}, in order`);
    }
    this.nextOfCommand = new Int32Array(since.length).fill(-1);
    for (let i = since.length - 1; i >= 0; i--) {
      const first = this.firstOfCommand.get(since[i].command_id);
      if (first !== undefined) this.nextOfCommand[i] = first;
      this.firstOfCommand.set(since[i].command_id, i);
    }
    const segments = new Map<string, string[]>();
    const evolveShared = evolveWith((doc, ops) => applyPatchShared(doc, ops as Operation[], segments) as JsonObject);
    let record: RecordVersion = base;
    this.states.push(record.state as JsonObject);
    this.deletedFlags.push(record.deleted);
    for (const event of since) {
      record = evolveStored(evolveShared, record, event);
      this.states.push(record.state as JsonObject);
      this.deletedFlags.push(record.deleted);
    }
  }

  /** The record's state at a version between the base and the head (shared: read it, never write it). */
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
    return this.walkChain(parent, device, before).chain;
  }

  /**
   * chainOf, and whether every event of the device in every command the walk looked at
   * lies before `before` (so a later bound would find the same chain).
   */
  private walkChain(parent: string | null | undefined, device: string | null, before: number): { chain: number[]; closed: boolean } {
    const chain: number[] = [];
    const seen = new Set<string>();
    let closed = true;
    let command = parent ?? null;
    while (command !== null && !seen.has(command)) {
      seen.add(command);
      let first = -1;
      for (let j = this.firstOf(command); j >= 0; j = this.nextOfCommand[j]) {
        if (this.since[j].device !== device) continue;
        if (j >= before) {
          closed = false;
          continue;
        }
        if (first < 0) first = j;
        chain.push(j);
      }
      if (first < 0) break;
      command = this.since[first].parent ?? null;
    }
    return { chain: chain.sort((a, b) => a - b), closed };
  }

  /**
   * The chain members whose own chains and pasts hold the rest of event i's chain: the
   * parent command's events when the chain is those on top of the chain of the first of
   * them, else the whole chain. Enough to find the highest rank in, and every event of,
   * the causal past.
   */
  private linksAt(i: number): readonly number[] {
    this.chainsUpTo(i);
    return this.chains[i].links;
  }

  /** Finds the chains of events 0..i, in order (each uses the chains before it). */
  private chainsUpTo(i: number): void {
    for (let k = this.chains.length; k <= i; k++) this.chains.push(this.findChain(k));
  }

  /**
   * Event k's chain. Its walk starts with its parent command's events (same device,
   * earlier); from the first of them it goes on as that event's own walk did, unless
   * that walk looked at a command with events of the device at or after that event:
   * then it is walked in full.
   */
  private findChain(k: number): Chain {
    const { parent, device } = this.since[k];
    if (parent == null) return NO_CHAIN;
    const links: number[] = [];
    let closed = true;
    for (let j = this.firstOf(parent); j >= 0; j = this.nextOfCommand[j]) {
      if (this.since[j].device !== device) continue;
      if (j < k) links.push(j);
      else closed = false;
    }
    const first = links.length > 0 ? this.chains[links[0]] : undefined;
    if (first?.closed) return { links, rest: links[0], closed };
    const walked = this.walkChain(parent, device, k);
    return { links: walked.chain, rest: -1, closed: walked.closed };
  }

  /** The last index of the events a since-event's base version held (-1: none). */
  private baseEnd(i: number): number {
    const baseVersion = this.since[i].base_version;
    return baseVersion >= this.base.version + 1 ? Math.min(i - 1, Math.floor(baseVersion) - this.base.version - 1) : -1;
  }

  /** The first event of a command (-1: none); `nextOfCommand` leads to the others. */
  private firstOf(command: string): number {
    return this.firstOfCommand.get(command) ?? -1;
  }

  /**
   * The causal past of a new edit with this parent and device: its chain and what those
   * held. A since-event's past is what its base version held, the earlier events of its
   * command, and its chain with each chain member's own past; so the edit's is the union,
   * over every event reached from it through chains, of that event, its base version's
   * events and its command's earlier events.
   */
  pastOfEdit(parent: string | null | undefined, device: string | null): Past {
    let upTo = -1;
    const others = new Set<number>();
    const reached = new Set<number>();
    const pending = this.chainOf(parent, device, this.since.length);
    while (pending.length > 0) {
      const r = pending.pop() as number;
      if (reached.has(r)) continue;
      reached.add(r);
      others.add(r);
      upTo = Math.max(upTo, this.baseEnd(r));
      // Its command's earlier events.
      for (let j = this.firstOf(this.since[r].command_id); j >= 0 && j < r; j = this.nextOfCommand[j]) others.add(j);
      pending.push(...this.linksAt(r));
    }
    return new Past(upTo, others);
  }

  rankOf(i: number): SubmitOrder {
    this.rankUpTo(i);
    return this.ranks[i];
  }

  /** The highest rank in a past (null when it is empty). */
  highestRank(past: Past): SubmitOrder | null {
    let best = past.upTo >= 0 ? this.prefixRank(past.upTo) : null;
    for (const j of past.others) best = later(best, this.rankOf(j));
    return best;
  }

  private prefixRank(i: number): SubmitOrder {
    this.rankUpTo(i);
    return this.prefixRanks[i];
  }

  /**
   * Ranks events 0..i, in order: an event's rank is its submit order, lifted above the
   * highest rank in its causal past (its base version's events, its command's earlier
   * events, its chain and the chain's pasts), which only holds earlier events.
   */
  private rankUpTo(i: number): void {
    for (let k = this.ranks.length; k <= i; k++) {
      const end = this.baseEnd(k);
      let best: SubmitOrder | null = end >= 0 ? this.prefixRanks[end] : null;
      for (let j = this.firstOf(this.since[k].command_id); j >= 0 && j < k; j = this.nextOfCommand[j]) best = later(best, this.ranks[j]);
      for (const c of this.linksAt(k)) best = later(best, later(this.ranks[c], this.pastRanks[c]));
      const rank = liftAbove(submitOrderOf(this.since[k]), best);
      this.pastRanks.push(best);
      this.ranks.push(rank);
      this.prefixRanks.push(k === 0 ? rank : (later(this.prefixRanks[k - 1], rank) as SubmitOrder));
    }
  }

  /**
   * The state an edit was made on: its base version with the submitted values of its
   * chain's earlier edits (after that base) on top, as the device had it offline.
   * Shares its values with the timeline's states: read it, never write it.
   */
  clientBase(baseVersion: number, chain: number[]): JsonObject {
    const state = this.stateAt(Math.max(baseVersion, this.base.version));
    const layers = chain.filter((j) => this.since[j].version > baseVersion);
    if (layers.length === 0) return state;
    const out: JsonObject = { ...state };
    for (const j of layers) {
      for (const [key, value] of Object.entries(this.since[j].submitted ?? {})) if (value !== undefined) setOwn(out, key, value);
    }
    return out;
  }

  /** Whether the device saw the record deleted when it made an edit on this base and chain. */
  clientBaseDeleted(chain: number[]): boolean {
    let deleted = this.base.deleted;
    for (const j of chain) deleted = deletedAfter(this.since[j].type, deleted);
    return deleted;
  }

  /** Whether the event was on the main line: its patch was applied (shelved and unknown events are not). */
  isMainLine(i: number): boolean {
    return this.existenceOf(i) !== null;
  }

  /** What a main-line event said about the record's existence (a tombstone or not); null off the main line. */
  existenceOf(i: number): Existence | null {
    const effect = effectOf(this.since[i].type);
    if (!effect.applies) return null;
    return effect.deleted === 'set' ? 'deleted' : 'alive';
  }

  /**
   * What an event said about the record's fields. For an edit made on the base or later
   * (updated, merged), all the paths its client changed, won or lost, rebuilt from its
   * submitted values on top of the state it was made on, so a merge is a function of
   * the set of edits and not of the order they came in. For other events (a pick, an
   * edit on an older base, a create), what its patch changed. The values are shared
   * with the events and states: read them only.
   */
  claimsOf(i: number): Claim[] {
    const claims: Claim[] = [];
    this.claimsInto(i, claims);
    return claims;
  }

  /** Appends claimsOf(i) to `claims`. */
  claimsInto(i: number, claims: Claim[]): void {
    const event = this.since[i];
    if (!this.isMainLine(i)) return;
    const rank = this.rankOf(i);
    const claim = (path: string[], value: Json) => {
      claims.push({ path, value, rank, event: i });
    };
    if (effectOf(event.type).edit && event.base_version >= this.base.version) this.submittedChanges(i, claim);
    else forEachChange(this.stateAt(event.version - 1), this.stateAt(event.version), [], claim);
  }

  /**
   * What an edit's submitted values change on the state it was made on (its client
   * base): `changedPaths(clientBase, clientBase with submitted laid over it)`, worked
   * out field by field, since only the submitted fields can differ. A field's value on
   * the client base is the last chain edit's submitted value for it, else the base
   * version's.
   */
  private submittedChanges(i: number, visit: (path: string[], value: Json) => void): void {
    const event = this.since[i];
    const submitted = event.submitted ?? {};
    const state = this.stateAt(Math.max(event.base_version, this.base.version));
    for (const key in submitted) {
      const value = submitted[key];
      if (value === undefined || !Object.prototype.hasOwnProperty.call(submitted, key)) continue;
      const laid = this.laidOver(i, key);
      const before = laid ? laid.value : Object.prototype.hasOwnProperty.call(state, key) ? state[key] : undefined;
      if (before !== value) forEachChange(before, value, [key], visit);
    }
  }

  /**
   * The value the last edit of event i's chain made after its base laid over `key`
   * (null: none did). Goes through the chain from its latest member back: the links,
   * then the chain they continue.
   */
  private laidOver(i: number, key: string): { value: Json } | null {
    const baseVersion = this.since[i].base_version;
    this.chainsUpTo(i);
    for (let at = i; at >= 0; at = this.chains[at].rest) {
      const { links } = this.chains[at];
      for (let n = links.length - 1; n >= 0; n--) {
        const layer = this.since[links[n]];
        const values = layer.submitted ?? {};
        if (layer.version > baseVersion && Object.prototype.hasOwnProperty.call(values, key) && values[key] !== undefined) return { value: values[key] };
      }
    }
    return null;
  }
}

/** The record after a stored event, as evolve (EVENT_EFFECTS) has it; a patch that does not apply is the store's fault. */
function evolveStored(evolveShared: ReturnType<typeof evolveWith>, record: RecordVersion, event: PriorEvent): RecordVersion {
  try {
    return evolveShared(record, event);
  } catch {
    throw new TakesError('INTERNAL_ERROR', `event ${event.id} (version ${event.version}) does not apply to the version before it`);
  }
}
