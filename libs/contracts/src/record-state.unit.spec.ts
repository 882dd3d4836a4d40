import { EVENT_TYPES, type EventType, type PatchOperation } from './event';
import { EVENT_EFFECTS, UNKNOWN_EVENT_EFFECT, deletedAfter, effectOf } from './event-effect';
import { applyOperations, evolve, evolveWith, initialState, replay, type RecordState } from './record-state';

const patch: PatchOperation[] = [{ op: 'replace', path: '/a', value: 2 }];
const live: RecordState = { version: 3, state: { a: 1, b: 'x' }, deleted: false };
const tombstone: RecordState = { version: 3, state: { a: 1, b: 'x' }, deleted: true };

// What each type does, written out here on its own so the table is checked against the
// design (ARCHITECTURE.md, Events), not against itself.
const expected: Record<EventType, { applies: boolean; deleted: 'set' | 'clear' | 'keep'; edit: boolean; pick: boolean }> = {
  created: { applies: true, deleted: 'clear', edit: false, pick: false },
  updated: { applies: true, deleted: 'keep', edit: true, pick: false },
  merged: { applies: true, deleted: 'keep', edit: true, pick: false },
  shelved: { applies: false, deleted: 'keep', edit: false, pick: false },
  lost_update: { applies: true, deleted: 'keep', edit: false, pick: false },
  deleted: { applies: true, deleted: 'set', edit: false, pick: false },
  restored: { applies: true, deleted: 'clear', edit: false, pick: false },
  resolved: { applies: true, deleted: 'keep', edit: false, pick: true },
  signaled: { applies: false, deleted: 'keep', edit: false, pick: false },
  webhook_requested: { applies: false, deleted: 'keep', edit: false, pick: false },
  defined: { applies: true, deleted: 'clear', edit: false, pick: false },
  removed: { applies: true, deleted: 'set', edit: false, pick: false },
};

describe('EVENT_EFFECTS', () => {
  it('has an effect for every event type, and only for those', () => {
    expect(Object.keys(EVENT_EFFECTS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES)('says what %s does to a record', (type) => {
    expect(effectOf(type)).toEqual(expected[type]);
  });

  it('gives a type this build does not know no effect but its version, also for names an object inherits', () => {
    for (const type of ['archived', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(effectOf(type)).toBe(UNKNOWN_EVENT_EFFECT);
    }
    expect(UNKNOWN_EVENT_EFFECT).toEqual({ applies: false, deleted: 'keep', edit: false, pick: false });
  });

  it('sets, clears or keeps the deleted flag', () => {
    expect(deletedAfter('deleted', false)).toBe(true);
    expect(deletedAfter('removed', false)).toBe(true);
    expect(deletedAfter('restored', true)).toBe(false);
    expect(deletedAfter('created', true)).toBe(false);
    expect(deletedAfter('defined', true)).toBe(false);
    for (const type of ['updated', 'merged', 'shelved', 'lost_update', 'resolved', 'archived']) {
      expect(deletedAfter(type, true)).toBe(true);
      expect(deletedAfter(type, false)).toBe(false);
    }
  });
});

describe('evolve', () => {
  it.each(EVENT_TYPES)('folds a %s event into a live record and into a deleted one', (type) => {
    const { applies, deleted } = expected[type];
    for (const before of [live, tombstone]) {
      const after = evolve(before, { type, version: 4, patch });
      expect(after).toEqual({
        version: 4,
        state: applies ? { a: 2, b: 'x' } : before.state,
        deleted: deleted === 'keep' ? before.deleted : deleted === 'set',
      });
    }
    expect(live).toEqual({ version: 3, state: { a: 1, b: 'x' }, deleted: false });
  });

  it('only moves the version on for a type this build does not know', () => {
    const after = evolve(tombstone, { type: 'archived' as EventType, version: 4, patch });
    expect(after).toEqual({ version: 4, state: { a: 1, b: 'x' }, deleted: true });
  });

  it('starts a record from its created event', () => {
    expect(evolve(initialState(), { type: 'created', version: 1, patch: [{ op: 'add', path: '/a', value: 1 }] })).toEqual({
      version: 1,
      state: { a: 1 },
      deleted: false,
    });
  });

  it('replays a stream from the start or from a snapshot', () => {
    const events = [
      { type: 'created' as const, version: 1, patch: [{ op: 'add' as const, path: '/a', value: 1 }] },
      { type: 'updated' as const, version: 2, patch: [{ op: 'replace' as const, path: '/a', value: 2 }] },
      { type: 'shelved' as const, version: 3, patch: [] },
      { type: 'deleted' as const, version: 4, patch: [] },
      { type: 'restored' as const, version: 5, patch: [] },
      { type: 'resolved' as const, version: 6, patch: [{ op: 'add' as const, path: '/b', value: 'picked' }] },
    ];
    expect(replay(events)).toEqual({ version: 6, state: { a: 2, b: 'picked' }, deleted: false });
    expect(replay(events.slice(0, 4))).toEqual({ version: 4, state: { a: 2 }, deleted: true });
    expect(replay(events.slice(4), { version: 4, state: { a: 2 }, deleted: true })).toEqual(replay(events));
    expect(replay([])).toEqual(initialState());
  });

  it('applies patches the way it is given, with the same table (evolveWith)', () => {
    const applied: PatchOperation[][] = [];
    const counting = evolveWith((doc, ops) => {
      applied.push(ops);
      return applyOperations(doc, ops);
    });
    expect(counting(live, { type: 'shelved', version: 4, patch: [] })).toEqual({ ...live, version: 4 });
    expect(counting(live, { type: 'deleted', version: 4, patch })).toEqual({ version: 4, state: { a: 2, b: 'x' }, deleted: true });
    expect(applied).toEqual([patch]);
  });
});
