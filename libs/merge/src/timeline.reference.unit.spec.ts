import fc from 'fast-check';
import { applyPatch, compare } from 'fast-json-patch';
import { deletedAfter, effectOf, TakesError, type PatchOperation } from '@takes/contracts';
import type { PriorEvent, RecordVersion } from './edit';
import { changedPaths, changedPathsShared, setOwn, toPointer, type Json, type JsonObject } from './json-document';
import { resolveClaims } from './resolve-claims';
import { compareSubmitOrder, liftAbove, submitOrderOf, type SubmitOrder } from './submit-order';
import { Timeline, type Claim } from './timeline';

// The merge's timeline as it was first written (one deep copy of the record per event,
// pasts as explicit sets, every chain walked in full), kept as the reference the faster
// Timeline must agree with on every input.

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as JsonObject;
  const right = b as JsonObject;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && jsonEqual(left[key], right[key]));
}

function referenceChangedPaths(before: Json, after: Json, path: string[] = []): { path: string[]; value: Json }[] {
  if (jsonEqual(before, after)) return [];
  if (!isPlainObject(before) || !isPlainObject(after)) return [{ path, value: clone(after) }];
  const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !Object.prototype.hasOwnProperty.call(before, key))];
  return keys.flatMap((key) =>
    referenceChangedPaths(
      Object.prototype.hasOwnProperty.call(before, key) ? before[key] : undefined,
      Object.prototype.hasOwnProperty.call(after, key) ? after[key] : undefined,
      [...path, key],
    ),
  );
}

function overlay(doc: JsonObject, values: JsonObject): JsonObject {
  const out = clone(doc);
  for (const [key, value] of Object.entries(values)) if (value !== undefined) setOwn(out, key, clone(value));
  return out;
}

interface Held {
  value: Json;
  rank: SubmitOrder;
}

function referenceResolveClaims(base: JsonObject, claims: Claim[]): JsonObject {
  const out = referenceBuild(0, null, base, claims);
  return isPlainObject(out) ? out : {};
}

function referenceBuild(depth: number, inherited: Held | null, base: Json, claims: Claim[]): Json {
  let top = inherited;
  const below: Claim[] = [];
  for (const claim of claims) {
    if (claim.path.length === depth) {
      if (!top || compareSubmitOrder(claim.rank, top.rank) > 0) top = { value: claim.value, rank: claim.rank };
    } else {
      below.push(claim);
    }
  }
  if (below.length === 0) return top ? top.value : base;
  const latestBelow = below.reduce((best, claim) => (compareSubmitOrder(claim.rank, best) > 0 ? claim.rank : best), below[0].rank);
  if (top && compareSubmitOrder(top.rank, latestBelow) > 0) return top.value;

  const source = top ? top.value : base;
  const object = isPlainObject(source) ? source : {};
  const groups = new Map<string, Claim[]>();
  for (const claim of below) {
    const key = claim.path[depth];
    const group = groups.get(key) ?? [];
    group.push(claim);
    groups.set(key, group);
  }
  const keys = [...Object.keys(object), ...[...groups.keys()].filter((key) => !Object.prototype.hasOwnProperty.call(object, key)).sort()];
  const out: JsonObject = {};
  for (const key of keys) {
    const child = Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
    const value = referenceBuild(depth + 1, top ? { value: child, rank: top.rank } : null, child, groups.get(key) ?? []);
    if (value !== undefined) setOwn(out, key, value);
  }
  return out;
}

// What each event type does (applies its patch, sets or clears the deleted flag, is an
// edit) is the table's, EVENT_EFFECTS in @takes/contracts, as it is the Timeline's; this
// reference checks how the Timeline computes, not what the types mean.

class ReferenceTimeline {
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
      if (effectOf(event.type).applies) state = applyStored(state, event);
      deleted = deletedAfter(event.type, deleted);
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
      deleted = deletedAfter(this.since[j].type, deleted);
    }
    return deleted;
  }

  /** Whether the event was on the main line (shelved and unknown events are not). */
  isMainLine(i: number): boolean {
    return this.existenceOf(i) !== null;
  }

  existenceOf(i: number): 'alive' | 'deleted' | null {
    const effect = effectOf(this.since[i].type);
    if (!effect.applies) return null;
    return effect.deleted === 'set' ? 'deleted' : 'alive';
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
    if (effectOf(event.type).edit && event.base_version >= this.base.version) {
      const before = this.clientBase(event.base_version, this.chainOf(event.parent, event.device, i));
      const after = overlay(before, event.submitted ?? {});
      return referenceChangedPaths(before, after).map((change) => ({ ...change, rank, event: i }));
    }
    return referenceChangedPaths(this.stateAt(event.version - 1), this.stateAt(event.version)).map((change) => ({ ...change, rank, event: i }));
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

// Random streams: any event type, commands that append more than one event or come back,
// chains through `parent` (also broken ones, other devices', cycles), bases older than
// the merge's base, clocks that run ahead, patches on nested fields.

const FIELDS = ['a', 'b', 'n', 'tags', '7'] as const;
const scalar = fc.constantFrom<unknown>(0, 1, 'u', 'v', null, true);
const value = fc.oneof(scalar, fc.array(fc.constantFrom('x', 'y'), { maxLength: 2 }), fc.dictionary(fc.constantFrom('p', 'q'), scalar, { maxKeys: 2 }), fc.record({ deep: fc.dictionary(fc.constantFrom('p', 'q'), scalar) }));
const doc = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }) as fc.Arbitrary<JsonObject>;
const COMMANDS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'];
const DEVICES = ['d0', 'd1', 'd2', null];

const step = fc.record({
  type: fc.constantFrom('created', 'updated', 'updated', 'updated', 'merged', 'merged', 'shelved', 'deleted', 'restored', 'resolved', 'lost_update', 'defined'),
  command: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: fc.constantFrom('c0', 'c1') }),
  parent: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constant('previous') }, { weight: 1, arbitrary: fc.constantFrom(...COMMANDS) }),
  device: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...DEVICES) }, { weight: 2, arbitrary: fc.constant('d0') }),
  back: fc.nat({ max: 6 }),
  minutes: fc.integer({ min: -120, max: 600 }),
  submitted: fc.oneof({ weight: 5, arbitrary: doc }, { weight: 1, arbitrary: fc.constant(null) }),
  change: doc,
  keep: fc.boolean(),
});

interface Stream {
  base: RecordVersion;
  head: RecordVersion;
  since: PriorEvent[];
}

const stream: fc.Arbitrary<Stream> = fc
  .record({ baseVersion: fc.integer({ min: 1, max: 3 }), state: doc, deleted: fc.boolean(), steps: fc.array(step, { maxLength: 30 }) })
  .map(({ baseVersion, state, deleted, steps }) => {
    const since: PriorEvent[] = [];
    let current: JsonObject = clone(state);
    const lastOf = new Map<string | null, string>();
    steps.forEach((s, i) => {
      const version = baseVersion + i + 1;
      const next: JsonObject = s.keep ? { ...current, ...s.change } : s.change;
      const patch = s.type === 'shelved' ? [] : (compare(current, next) as PatchOperation[]);
      if (patch.length > 0) current = clone(next);
      const command_id = s.command ?? `e${i}`;
      const parent = s.parent === 'previous' ? (lastOf.get(s.device) ?? null) : s.parent;
      lastOf.set(s.device, command_id);
      since.push({
        id: `evt-${version}`,
        command_id,
        parent,
        type: s.type as PriorEvent['type'],
        version,
        base_version: Math.max(0, version - 1 - s.back),
        patch,
        submitted: s.submitted as Record<string, unknown>,
        submit_ts: new Date(Date.UTC(2026, 2, 1) + s.minutes * 60_000).toISOString(),
        device: s.device,
      });
    });
    return { base: { version: baseVersion, state, deleted }, head: { version: baseVersion + since.length, state: current, deleted: false }, since };
  });

const text = (value: unknown) => JSON.stringify(value) ?? 'undefined';
const claimSet = (claims: Claim[]) => claims.map((c) => `${toPointer(c.path)} ${text(c.value)} ${text(c.rank)} ${c.event}`).sort();

describe('Timeline against the reference (the first, slow implementation)', () => {
  it('gives the same states, ranks, chains, pasts, client bases and claims on random streams', () => {
    fc.assert(
      fc.property(stream, fc.constantFrom(...COMMANDS, null), fc.constantFrom(...DEVICES), ({ base, head, since }, editParent, editDevice) => {
        const input = text({ base, since });
        const fast = new Timeline(base, head, since);
        const slow = new ReferenceTimeline(base, head, since);
        for (let v = base.version; v <= head.version; v++) {
          expect(text(fast.stateAt(v))).toBe(text(slow.stateAt(v)));
          expect(fast.deletedAt(v)).toBe(slow.deletedAt(v));
        }
        since.forEach((event, i) => {
          expect(fast.rankOf(i)).toEqual(slow.rankOf(i));
          expect(fast.chainOf(event.parent, event.device, i)).toEqual(slow.chainOf(event.parent, event.device, i));
          expect(claimSet(fast.claimsOf(i))).toEqual(claimSet(slow.claimsOf(i)));
          const chain = slow.chainOf(event.parent, event.device, i);
          expect(text(fast.clientBase(event.base_version, chain))).toBe(text(slow.clientBase(event.base_version, chain)));
        });
        const past = fast.pastOfEdit(editParent, editDevice);
        const reference = slow.pastOfEdit(editParent, editDevice);
        since.forEach((_, i) => expect(past.has(i)).toBe(reference.has(i)));
        expect(fast.highestRank(past)).toEqual(slow.highestRank(reference));
        const chain = slow.chainOf(editParent, editDevice, since.length);
        expect(fast.chainOf(editParent, editDevice, since.length)).toEqual(chain);
        expect(text(fast.clientBase(base.version, chain))).toBe(text(slow.clientBase(base.version, chain)));
        expect(text({ base, since })).toBe(input);
      }),
      { numRuns: 1500 },
    );
  });

  it('ranks long offline chains the same (one device, many parents, some edits on older bases)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ minutes: fc.integer({ min: -60, max: 600 }), back: fc.nat({ max: 3 }), chained: fc.boolean(), device: fc.constantFrom('d0', 'd1') }), { minLength: 20, maxLength: 80 }), (steps) => {
        const last = new Map<string, string>();
        const since: PriorEvent[] = steps.map((s, i) => {
          const parent = s.chained ? (last.get(s.device) ?? null) : null;
          last.set(s.device, `e${i}`);
          return { id: `evt-${i + 2}`, command_id: `e${i}`, parent, type: 'merged', version: i + 2, base_version: Math.max(1, i + 1 - s.back), patch: [], submitted: { a: i }, submit_ts: new Date(Date.UTC(2026, 2, 1) + s.minutes * 60_000).toISOString(), device: s.device };
        });
        const base = { version: 1, state: { a: -1 }, deleted: false };
        const fast = new Timeline(base, { ...base, version: 1 + since.length }, since);
        const slow = new ReferenceTimeline(base, { ...base, version: 1 + since.length }, since);
        since.forEach((_, i) => expect(fast.rankOf(i)).toEqual(slow.rankOf(i)));
        for (const device of ['d0', 'd1']) {
          const past = fast.pastOfEdit(last.get(device), device);
          const reference = slow.pastOfEdit(last.get(device), device);
          since.forEach((_, i) => expect(past.has(i)).toBe(reference.has(i)));
          expect(fast.highestRank(past)).toEqual(slow.highestRank(reference));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('walks a chain in full when a command of it comes back later (a retried command)', () => {
    const event = (i: number, command_id: string, parent: string | null, minutes: number): PriorEvent => ({
      id: `evt-${i + 2}`, command_id, parent, type: 'updated', version: i + 2, base_version: 1, patch: [], submitted: { a: i },
      submit_ts: new Date(Date.UTC(2026, 2, 1) + minutes * 60_000).toISOString(), device: 'd0',
    });
    // A, then B on A, then A again with a clock far ahead, then C on B: C's chain is A, B and A again.
    const since = [event(0, 'A', null, 0), event(1, 'B', 'A', 10), event(2, 'A', null, 9_000), event(3, 'C', 'B', 20)];
    const base = { version: 1, state: { a: -1 }, deleted: false };
    const fast = new Timeline(base, { ...base, version: 5 }, since);
    const slow = new ReferenceTimeline(base, { ...base, version: 5 }, since);
    expect(slow.chainOf('B', 'd0', 3)).toEqual([0, 1, 2]);
    expect(fast.rankOf(3)).toEqual(slow.rankOf(3));
    expect(fast.rankOf(3).ts).toBe(Date.parse(since[2].submit_ts));
    expect(claimSet(fast.claimsOf(3))).toEqual(claimSet(slow.claimsOf(3)));
  });
});

describe('resolveClaims', () => {
  // Few ranks, so equal ones (lifted edits share their rank's fields) and ties between claims occur.
  const rank = fc.record({ ts: fc.integer({ min: 0, max: 3 }), device: fc.constantFrom('d0', 'd1'), command: fc.constantFrom('c0', 'c1'), depth: fc.nat({ max: 1 }) });
  const claim = fc.record({
    path: fc.array(fc.constantFrom('a', 'n', 'p', '__proto__', '0'), { maxLength: 3 }),
    value: fc.oneof(value, fc.constant(undefined)),
    rank,
    event: fc.integer({ min: -1, max: 5 }),
  }) as fc.Arbitrary<Claim>;

  it('leaves the same record (same values, same key order) as the first implementation', () => {
    fc.assert(
      fc.property(doc, fc.array(claim, { maxLength: 12 }), (base, claims) => {
        expect(text(resolveClaims(base, claims))).toBe(text(referenceResolveClaims(base, claims)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('changedPaths', () => {
  it('lists the same paths, values and order as the first (recursive, compare-first) implementation', () => {
    fc.assert(
      fc.property(doc, doc, fc.boolean(), (before, change, keep) => {
        const after = keep ? { ...before, ...change } : change;
        expect(text(changedPaths(before, after))).toBe(text(referenceChangedPaths(before, after)));
        expect(text(changedPathsShared(before, after))).toBe(text(referenceChangedPaths(before, after)));
      }),
      { numRuns: 2000 },
    );
  });
});
