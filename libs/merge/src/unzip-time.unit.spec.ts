import { replay, stampTimes } from '@takes/decide';
import type { TakesEvent } from '@takes/contracts';
import { fieldTakes, unzipTime, type UnzipDecision } from './index';
import { RECORD_CONTEST } from './unzip-time';
import { InMemoryStream, type StreamWrite } from './in-memory-stream';

const initial = { x: 'x0', y: 'y0', z: 'z0', notes: '' };

/** A record at version 3 (created, then two edits in the office), which devices A and B take. */
function recordAtVersion3(policy: 'field' | 'longest-chain' | 'reject' = 'field'): InMemoryStream {
  const stream = new InMemoryStream(initial, policy, '2026-03-01T08:00:00.000Z');
  appended(stream.write({ command_id: 'office-1', device: 'office', submit_ts: '2026-03-01T08:10:00.000Z', op: 'put', data: { notes: 'n1' }, base_version: 1, commit_at: '2026-03-01T08:10:01.000Z' }));
  appended(stream.write({ command_id: 'office-2', device: 'office', submit_ts: '2026-03-01T08:20:00.000Z', op: 'put', data: { notes: 'n2' }, base_version: 2, commit_at: '2026-03-01T08:20:01.000Z' }));
  expect(stream.head.version).toBe(3);
  return stream;
}

function appended(decision: UnzipDecision) {
  if (decision.kind !== 'append') throw new Error(`expected an append, got ${decision.error.code}: ${decision.error.message}`);
  return decision;
}

function edit(partial: Partial<StreamWrite> & Pick<StreamWrite, 'command_id' | 'device' | 'submit_ts'>): StreamWrite {
  return { op: 'put', base_version: 3, ...partial };
}

function takesOf(events: TakesEvent[], field: string) {
  const history = fieldTakes(events).find((h) => h.field === field);
  if (!history) throw new Error(`no history for ${field}`);
  return history;
}

function expectReplayed(stream: InMemoryStream) {
  const replayed = replay(stream.events);
  expect(replayed).toEqual(stream.head);
}

describe('unzipTime, field policy', () => {
  it('the seed story: x from A, z from B, y from the later submit, y contested, both y values kept', () => {
    const stream = recordAtVersion3();
    // B edits y and z on Monday and syncs at once.
    const b = appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB', z: 'zB' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    expect(b.outcome).toBe('applied');
    // A was offline for the week: x on Sunday, y on Saturday (one chain), synced on Sunday after.
    const a1 = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-01T18:00:00.000Z', data: { x: 'xA' }, commit_at: '2026-03-08T09:00:00.000Z' })));
    const a2 = appended(stream.write(edit({ command_id: 'a-2', parent: 'a-1', device: 'A', submit_ts: '2026-03-07T16:00:00.000Z', data: { y: 'yA' } })));

    expect(a1).toMatchObject({ outcome: 'merged', contested: [] });
    expect(a2).toMatchObject({ outcome: 'merged', contested: ['/y'], submitted: { y: 'yA' } });
    expect(a2.events.map((e) => e.type)).toEqual(['merged']);
    expect(stream.head.state).toEqual({ x: 'xA', y: 'yA', z: 'zB', notes: 'n2' });
    expectReplayed(stream);

    const y = takesOf(stream.events, '/y');
    expect(y.contested).toBe(true);
    expect(y.value).toBe('yA');
    expect(y.takes.map((t) => [t.value, t.command_id, t.applied, t.current, t.contested])).toEqual([
      ['y0', 'create', true, false, false],
      ['yB', 'b-1', true, false, true],
      ['yA', 'a-2', true, true, true],
    ]);
    expect(takesOf(stream.events, '/z').value).toBe('zB');
    expect(takesOf(stream.events, '/x').value).toBe('xA');
  });

  it('the seed story the other way round: B submitted y later, so B keeps y and A\'s y stays a take', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-06T10:00:00.000Z', data: { y: 'yB', z: 'zB' }, commit_at: '2026-03-06T10:00:01.000Z' })));
    const a = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-03T18:00:00.000Z', data: { x: 'xA', y: 'yA' }, commit_at: '2026-03-08T09:00:00.000Z' })));

    expect(a).toMatchObject({ outcome: 'merged', contested: ['/y'], submitted: { x: 'xA', y: 'yA' } });
    expect(stream.head.state).toEqual({ x: 'xA', y: 'yB', z: 'zB', notes: 'n2' });
    const y = takesOf(stream.events, '/y');
    expect(y.takes.map((t) => [t.value, t.applied, t.current])).toEqual([
      ['y0', true, false],
      ['yB', true, true],
      ['yA', false, false],
    ]);
    expectReplayed(stream);
  });

  it('a hostile clock is clamped to its commit time, so a later real edit still wins', () => {
    const stream = recordAtVersion3();
    const baseCommit = stream.events[2].commit_ts;
    // H's clock says 2099; the store clamps its submit_ts into [branch_ts, commit_ts].
    const hCommit = new Date('2026-03-04T12:00:00.000Z');
    const h = stampTimes({ branch_ts: null, submit_ts: '2099-01-01T00:00:00.000Z' }, hCommit, baseCommit);
    expect(h.submit_ts).toBe('2026-03-04T12:00:00.000Z');
    appended(stream.write(edit({ command_id: 'h-1', device: 'H', submit_ts: h.submit_ts, data: { y: 'yH' }, commit_at: h.commit_ts })));

    // An honest edit made before H synced loses to it ...
    const s = appended(stream.write(edit({ command_id: 's-1', device: 'S', submit_ts: '2026-03-04T11:00:00.000Z', data: { y: 'yS' }, commit_at: '2026-03-05T08:00:00.000Z' })));
    expect(s.contested).toEqual(['/y']);
    expect(stream.head.state.y).toBe('yH');
    // ... one made after H's (clamped) commit wins, although H claimed 2099.
    const r = appended(stream.write(edit({ command_id: 'r-1', device: 'R', submit_ts: '2026-03-05T09:00:00.000Z', data: { y: 'yR' }, commit_at: '2026-03-05T10:00:00.000Z' })));
    expect(r.contested).toEqual(['/y']);
    expect(stream.head.state.y).toBe('yR');
    expectReplayed(stream);
  });

  it('a device\'s own offline chain never contests itself, even when its clock went back', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'y1' }, commit_at: '2026-03-03T08:00:00.000Z' })));
    const a2 = appended(stream.write(edit({ command_id: 'a-2', parent: 'a-1', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', data: { y: 'y2', z: 'z2' } })));
    expect(a2).toMatchObject({ outcome: 'applied', contested: [] });
    expect(a2.events.map((e) => e.type)).toEqual(['updated']);
    expect(stream.head.state).toMatchObject({ y: 'y2', z: 'z2' });
    expectReplayed(stream);
  });

  it('a chain edit is based on its parent: a field the parent changed and the chain left alone is not the chain\'s claim', () => {
    const stream = recordAtVersion3();
    // A sends whole records (as some Rocket clients do): a-2 repeats a-1's x.
    appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T10:00:00.000Z', data: { ...initial, notes: 'n2', x: 'xA' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T12:00:00.000Z', data: { x: 'xB' }, base_version: 4, commit_at: '2026-03-02T12:00:01.000Z' })));
    const a2 = appended(stream.write(edit({ command_id: 'a-2', parent: 'a-1', device: 'A', submit_ts: '2026-03-02T13:00:00.000Z', data: { ...initial, notes: 'n2', x: 'xA', z: 'zA' }, commit_at: '2026-03-02T13:00:01.000Z' })));
    expect(a2).toMatchObject({ outcome: 'merged', contested: [], submitted: { z: 'zA' } });
    expect(stream.head.state).toMatchObject({ x: 'xB', z: 'zA' });
  });

  it('nested JSON merges by path; arrays are whole values', () => {
    const stream = new InMemoryStream({ extra: { tags: ['a'], color: 'red', size: 1 } });
    appended(stream.write({ command_id: 'b', device: 'B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'patch', patch: [{ op: 'add', path: '/extra/tags/-', value: 'b' }, { op: 'replace', path: '/extra/size', value: 2 }], base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' }));
    const a = appended(stream.write({ command_id: 'a', device: 'A', submit_ts: '2026-03-01T08:30:00.000Z', op: 'put', data: { extra: { tags: ['a', 'c'], color: 'blue', size: 1 } }, base_version: 1 }));
    expect(a.contested).toEqual(['/extra/tags']);
    expect(stream.head.state).toEqual({ extra: { tags: ['a', 'b'], color: 'blue', size: 2 } });
    expect(takesOf(stream.events, '/extra/tags').takes.map((t) => t.value)).toEqual([['a'], ['a', 'b'], ['a', 'c']]);
    expectReplayed(stream);
  });

  it('two edits that set the same value do not contest it', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'same' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    const a = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T11:00:00.000Z', data: { y: 'same' }, commit_at: '2026-03-02T11:00:01.000Z' })));
    expect(a).toMatchObject({ outcome: 'merged', contested: [] });
  });

  it('a stale PATCH is applied to the edited version, and its test ops are checked there', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    const ok = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', op: 'patch', patch: [{ op: 'test', path: '/y', value: 'y0' }, { op: 'replace', path: '/z', value: 'zA' }, { op: 'remove', path: '/notes' }] })));
    expect(ok.submitted).toEqual({ z: 'zA', notes: null });
    expect(stream.head.state).toEqual({ x: 'x0', y: 'yB', z: 'zA', notes: null });
    const failed = stream.write(edit({ command_id: 'a-2', device: 'A2', submit_ts: '2026-03-02T09:00:00.000Z', op: 'patch', patch: [{ op: 'test', path: '/y', value: 'yB' }] }));
    expect(failed.kind === 'reject' && failed.error.code).toBe('CONFLICT');
    const bad = stream.write(edit({ command_id: 'a-3', device: 'A3', submit_ts: '2026-03-02T09:00:00.000Z', op: 'patch', patch: [{ op: 'replace', path: '/missing/deep', value: 1 }] }));
    expect(bad.kind === 'reject' && bad.error.code).toBe('INVALID_PAYLOAD');
  });
});

describe('unzipTime, delete against edit', () => {
  it('an edit made after a delete it had not seen restores the record, flagged', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'd-1', device: 'D', submit_ts: '2026-03-02T10:00:00.000Z', op: 'delete', commit_at: '2026-03-02T10:00:01.000Z' })));
    expect(stream.head.deleted).toBe(true);
    const e = appended(stream.write(edit({ command_id: 'e-1', device: 'E', submit_ts: '2026-03-03T10:00:00.000Z', data: { y: 'yE' }, commit_at: '2026-03-04T10:00:00.000Z' })));
    expect(e).toMatchObject({ outcome: 'merged', contested: [RECORD_CONTEST] });
    expect(e.events.map((ev) => ev.type)).toEqual(['restored', 'merged']);
    expect(stream.head).toMatchObject({ deleted: false, state: { y: 'yE' } });
    expectReplayed(stream);
  });

  it('an edit made before the delete is shelved: kept, not applied', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'd-1', device: 'D', submit_ts: '2026-03-02T10:00:00.000Z', op: 'delete', commit_at: '2026-03-02T10:00:01.000Z' })));
    const before = stream.head.state;
    const e = appended(stream.write(edit({ command_id: 'e-1', device: 'E', submit_ts: '2026-03-02T09:00:00.000Z', data: { y: 'yE' }, commit_at: '2026-03-04T10:00:00.000Z' })));
    expect(e).toMatchObject({ outcome: 'shelved', contested: [RECORD_CONTEST], submitted: { y: 'yE' } });
    expect(e.events).toEqual([expect.objectContaining({ type: 'shelved', patch: [] })]);
    expect(stream.head).toMatchObject({ deleted: true, state: before });
    expect(takesOf(stream.events, '/y').takes.map((t) => [t.value, t.type, t.applied])).toContainEqual(['yE', 'shelved', false]);
    expectReplayed(stream);
  });

  it('a stale delete loses to an edit made after it and wins over one made before it', () => {
    const later = recordAtVersion3();
    appended(later.write(edit({ command_id: 'e-1', device: 'E', submit_ts: '2026-03-03T10:00:00.000Z', data: { y: 'yE' }, commit_at: '2026-03-03T10:00:01.000Z' })));
    const lost = appended(later.write(edit({ command_id: 'd-1', device: 'D', submit_ts: '2026-03-02T10:00:00.000Z', op: 'delete' })));
    expect(lost).toMatchObject({ outcome: 'shelved', contested: [RECORD_CONTEST] });
    expect(later.head.deleted).toBe(false);

    const earlier = recordAtVersion3();
    appended(earlier.write(edit({ command_id: 'e-1', device: 'E', submit_ts: '2026-03-01T10:00:00.000Z', data: { y: 'yE' }, commit_at: '2026-03-03T10:00:01.000Z' })));
    const won = appended(earlier.write(edit({ command_id: 'd-1', device: 'D', submit_ts: '2026-03-02T10:00:00.000Z', op: 'delete' })));
    expect(won).toMatchObject({ outcome: 'merged', contested: [RECORD_CONTEST] });
    expect(won.events.map((ev) => ev.type)).toEqual(['deleted']);
    expect(earlier.head).toMatchObject({ deleted: true, state: { y: 'yE' } });
    expectReplayed(earlier);
  });

  it('editing a record the device already saw deleted is NOT_FOUND, restoring a live one CONFLICT', () => {
    const stream = recordAtVersion3();
    appended(stream.write(edit({ command_id: 'd-1', device: 'D', submit_ts: '2026-03-02T10:00:00.000Z', op: 'delete', commit_at: '2026-03-02T10:00:01.000Z' })));
    const gone = stream.write(edit({ command_id: 'e-1', device: 'E', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yE' }, base_version: 4 }));
    expect(gone.kind === 'reject' && gone.error.code).toBe('NOT_FOUND');
    const live = stream.write(edit({ command_id: 'r-1', device: 'R', submit_ts: '2026-03-02T10:00:00.000Z', op: 'restore' }));
    expect(live.kind === 'reject' && live.error.code).toBe('CONFLICT');
    const restored = appended(stream.write(edit({ command_id: 'r-2', device: 'R', submit_ts: '2026-03-02T10:00:00.000Z', op: 'restore', base_version: 4 })));
    expect(restored).toMatchObject({ outcome: 'applied', next: { deleted: false } });
  });
});

describe('unzipTime, longest-chain policy', () => {
  it('a device chain longer than the main line wins whole; a shorter, older one is shelved first', () => {
    const stream = recordAtVersion3('longest-chain');
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB', z: 'zB' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    // A's first edit: one against one, and B's is newer: shelved.
    const a1 = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', data: { x: 'xA' }, commit_at: '2026-03-03T08:00:00.000Z' })));
    expect(a1).toMatchObject({ outcome: 'shelved', submitted: { x: 'xA' }, contested: ['/x'] });
    expect(stream.head.state).toEqual({ x: 'x0', y: 'yB', z: 'zB', notes: 'n2' });
    // A's second edit makes its chain two long against one: A's record wins whole.
    const a2 = appended(stream.write(edit({ command_id: 'a-2', parent: 'a-1', device: 'A', submit_ts: '2026-03-02T09:30:00.000Z', data: { y: 'yA' } })));
    expect(a2).toMatchObject({ outcome: 'merged', contested: ['/y', '/z'] });
    expect(stream.head.state).toEqual({ x: 'xA', y: 'yA', z: 'z0', notes: 'n2' });
    // Nothing is lost: B's values are takes of their own events.
    expect(takesOf(stream.events, '/z').takes.map((t) => t.value)).toEqual(['z0', 'zB', 'z0']);
    expectReplayed(stream);
  });

  it('a main line longer than the chain keeps the record; the chain\'s edit is shelved', () => {
    const stream = recordAtVersion3('longest-chain');
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    appended(stream.write(edit({ command_id: 'c-1', device: 'C', submit_ts: '2026-03-02T11:00:00.000Z', data: { z: 'zC' }, base_version: 4, commit_at: '2026-03-02T11:00:01.000Z' })));
    const a = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-03T09:00:00.000Z', data: { y: 'yA' }, commit_at: '2026-03-03T10:00:00.000Z' })));
    expect(a).toMatchObject({ outcome: 'shelved', submitted: { y: 'yA' }, contested: ['/y'] });
    expect(stream.head.state).toEqual({ x: 'x0', y: 'yB', z: 'zC', notes: 'n2' });
    expectReplayed(stream);
  });

  it('a tie goes to the newer submit', () => {
    const stream = recordAtVersion3('longest-chain');
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB', z: 'zB' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    const a = appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T11:00:00.000Z', data: { x: 'xA' }, commit_at: '2026-03-03T10:00:00.000Z' })));
    expect(a).toMatchObject({ outcome: 'merged', contested: ['/y', '/z'] });
    expect(stream.head.state).toEqual({ x: 'xA', y: 'y0', z: 'z0', notes: 'n2' });
    expectReplayed(stream);
  });

  it('a chain whose last edit made it onto the main line forks there', () => {
    const stream = recordAtVersion3('longest-chain');
    appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', data: { x: 'xA' }, commit_at: '2026-03-02T09:00:01.000Z' })));
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB' }, base_version: 4, commit_at: '2026-03-02T10:00:01.000Z' })));
    appended(stream.write(edit({ command_id: 'b-2', parent: 'b-1', device: 'B', submit_ts: '2026-03-02T10:30:00.000Z', data: { z: 'zB' }, base_version: 4, commit_at: '2026-03-02T10:30:01.000Z' })));
    // A's second edit (based on 3 offline) forks at a-1's version 4: one against two.
    const a2 = appended(stream.write(edit({ command_id: 'a-2', parent: 'a-1', device: 'A', submit_ts: '2026-03-02T11:00:00.000Z', data: { y: 'yA' }, commit_at: '2026-03-02T11:00:01.000Z' })));
    expect(a2.outcome).toBe('shelved');
    expect(stream.head.state).toEqual({ x: 'xA', y: 'yB', z: 'zB', notes: 'n2' });
  });
});

describe('unzipTime, reject policy', () => {
  it('a stale base is a 409 with the current record, its version and the diff since the base', () => {
    const stream = recordAtVersion3('reject');
    appended(stream.write(edit({ command_id: 'b-1', device: 'B', submit_ts: '2026-03-02T10:00:00.000Z', data: { y: 'yB' }, commit_at: '2026-03-02T10:00:01.000Z' })));
    const a = stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', data: { x: 'xA' } }));
    if (a.kind !== 'reject') throw new Error('expected a rejection');
    expect(a.error.code).toBe('CONFLICT');
    expect(a.error.details).toEqual({
      version: 4,
      base_version: 3,
      current: { x: 'x0', y: 'yB', z: 'z0', notes: 'n2' },
      deleted: false,
      diff: [{ op: 'replace', path: '/y', value: 'yB' }],
    });
    expect(stream.head.version).toBe(4);
  });

  it('the device\'s own chain is not a stale base', () => {
    const stream = recordAtVersion3('reject');
    appended(stream.write(edit({ command_id: 'a-1', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', data: { x: 'xA' }, commit_at: '2026-03-02T09:00:01.000Z' })));
    const a2 = appended(stream.write(edit({ command_id: 'a-2', parent: 'a-1', device: 'A', submit_ts: '2026-03-02T09:10:00.000Z', data: { y: 'yA' }, commit_at: '2026-03-02T09:10:01.000Z' })));
    expect(a2).toMatchObject({ outcome: 'applied', contested: [] });
    expect(stream.head.state).toMatchObject({ x: 'xA', y: 'yA' });
  });
});

describe('unzipTime inputs', () => {
  it('refuses a since list that is not every event after the base', () => {
    const stream = recordAtVersion3();
    expect(() =>
      unzipTime({ base: stream.at(1), head: stream.head, since: stream.events.slice(2), edit: { command_id: 'a', device: 'A', submit_ts: '2026-03-02T09:00:00.000Z', op: 'put', data: {} }, policy: 'field' }),
    ).toThrow(/every event after version 1/);
  });
});
