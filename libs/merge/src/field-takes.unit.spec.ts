import type { TakesEvent } from '@takes/contracts';
import { fieldTakes } from './index';
import { InMemoryStream } from './in-memory-stream';

function twoDevicesOnY(): InMemoryStream {
  const stream = new InMemoryStream({ y: 'y0', extra: { tags: ['a'], size: 1 } });
  stream.write({ command_id: 'b', device: 'B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'put', data: { y: 'yB' }, base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' });
  stream.write({ command_id: 'a', device: 'A', submit_ts: '2026-03-01T09:30:00.000Z', op: 'patch', patch: [{ op: 'replace', path: '/y', value: 'yA' }, { op: 'add', path: '/extra/tags/-', value: 'b' }], base_version: 1, commit_at: '2026-03-01T09:30:01.000Z' });
  stream.write({ command_id: 'c', device: 'C', submit_ts: '2026-03-01T09:10:00.000Z', op: 'put', data: { extra: { tags: ['c'], size: 1 } }, base_version: 1, commit_at: '2026-03-01T09:40:01.000Z' });
  return stream;
}

function pick(events: TakesEvent[], field: string, value: unknown): TakesEvent {
  const last = events[events.length - 1];
  return {
    ...last,
    id: 'evt-pick',
    command_id: 'pick-1',
    parent: null,
    type: 'resolved',
    version: last.version + 1,
    prior_version: last.version,
    base_version: last.version,
    patch: [{ op: 'replace', path: field, value }],
    submitted: { [field.slice(1)]: value },
    contested: [],
    user: { id: 'reviewer', roles: ['admin'] },
    device: 'desk',
  };
}

describe('fieldTakes', () => {
  it('lists every take of each field in version order, with who, when and whether it is current', () => {
    const stream = twoDevicesOnY();
    const y = fieldTakes(stream.events).find((h) => h.field === '/y')!;
    expect(y).toMatchObject({ value: 'yA', contested: true });
    expect(y.takes).toEqual([
      expect.objectContaining({ value: 'y0', version: 1, applied: true, current: false, contested: false, command_id: 'create' }),
      expect.objectContaining({ value: 'yB', version: 2, applied: true, current: false, contested: true, device: 'B', user: { id: 'user-of-B', roles: ['inspector'] } }),
      expect.objectContaining({ value: 'yA', submitted: 'yA', version: 3, applied: true, current: true, contested: true, device: 'A', type: 'merged' }),
    ]);
    const take = y.takes[2];
    expect(take.event_id).toBe(stream.events[2].id);
    expect([take.branch_ts, take.submit_ts, take.commit_ts]).toEqual([stream.events[0].commit_ts, '2026-03-01T09:30:00.000Z', '2026-03-01T09:30:01.000Z']);
  });

  it('adds the nested paths that were contested, each with its own takes', () => {
    const stream = twoDevicesOnY();
    const histories = fieldTakes(stream.events);
    expect(histories.map((h) => h.field)).toEqual(['/extra', '/extra/tags', '/y']);
    const tags = histories.find((h) => h.field === '/extra/tags')!;
    // C changed the tags before A did (09:10 against 09:30) but synced after: A keeps them.
    expect(tags.value).toEqual(['a', 'b']);
    expect(tags.takes.map((t) => [t.value, t.applied, t.current, t.contested])).toEqual([
      [['a'], true, false, false],
      [['a', 'b'], true, true, true],
      [['c'], false, false, true],
    ]);
  });

  it('marks a reviewer\'s pick and makes it current', () => {
    const stream = twoDevicesOnY();
    const events = [...stream.events, pick(stream.events, '/y', 'yB')];
    const y = fieldTakes(events).find((h) => h.field === '/y')!;
    expect(y.value).toBe('yB');
    expect(y.takes.filter((t) => t.current)).toEqual([expect.objectContaining({ picked: true, value: 'yB', type: 'resolved', user: { id: 'reviewer', roles: ['admin'] } })]);
    expect(y.takes.filter((t) => t.picked)).toHaveLength(1);
  });

  it('keeps a losing value as a take that did not reach the record, and a removal as removed', () => {
    const stream = new InMemoryStream({ y: 'y0', z: 'z0' });
    stream.write({ command_id: 'b', device: 'B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'put', data: { y: 'yB' }, base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' });
    stream.write({ command_id: 'a', device: 'A', submit_ts: '2026-03-01T08:30:00.000Z', op: 'put', data: { y: 'yA' }, base_version: 1, commit_at: '2026-03-01T09:30:01.000Z' });
    const events = [...stream.events, { ...stream.events[1], id: 'evt-x', version: 4, prior_version: 3, base_version: 3, command_id: 'x', patch: [{ op: 'remove' as const, path: '/z' }], submitted: {} }];
    const histories = fieldTakes(events);
    expect(histories.find((h) => h.field === '/y')!.takes.map((t) => [t.value, t.applied, t.current])).toEqual([
      ['y0', true, false],
      ['yB', true, true],
      ['yA', false, false],
    ]);
    expect(histories.find((h) => h.field === '/z')).toMatchObject({ value: null, takes: [expect.anything(), expect.objectContaining({ value: null, removed: true, current: true })] });
  });

  it('keeps every value of a chained edit made on a longest-chain winner, nested ones included (a property counterexample)', () => {
    const stream = new InMemoryStream({ a: 0, b: 0, tags: [], n: { q: 0, p: 0 }, m: {} }, 'longest-chain');
    stream.write({ command_id: 's0', device: 'dev0', submit_ts: '2026-03-01T09:00:00.000Z', op: 'patch', patch: [{ op: 'remove', path: '/n/q' }], base_version: 1, commit_at: '2026-03-01T09:00:00.000Z' });
    // dev1, offline since version 1, removes a; it ties with dev0 and submitted later, so its chain wins whole and n/q is back.
    const won = stream.write({ command_id: 's1', device: 'dev1', submit_ts: '2026-03-01T10:00:00.000Z', op: 'patch', patch: [{ op: 'remove', path: '/a' }], base_version: 1, commit_at: '2026-03-01T10:00:00.000Z' });
    expect(won).toMatchObject({ outcome: 'merged', next: { state: { a: null, n: { q: 0, p: 0 } } } });
    // Its next edit, on what dev1 had: the winner's record.
    const next = stream.write({
      command_id: 's2',
      parent: 's1',
      device: 'dev1',
      submit_ts: '2026-03-01T11:00:00.000Z',
      op: 'patch',
      patch: [{ op: 'add', path: '/n/p', value: {} }, { op: 'replace', path: '/a', value: {} }],
      base_version: 1,
      commit_at: '2026-03-01T11:00:00.000Z',
    });
    expect(next).toMatchObject({ outcome: 'applied', submitted: { a: {}, n: { q: 0, p: {} } } });
    const histories = fieldTakes(stream.events);
    const takeOf = (field: string, command: string) => histories.find((h) => h.field === field)!.takes.find((t) => t.command_id === command);
    // Equal as JSON values: the keys of n may come back in another order than dev1 had them, as jsonb keeps them.
    expect(takeOf('/n', 's2')).toMatchObject({ submitted: { q: 0, p: {} }, value: { q: 0, p: {} }, applied: true, current: true });
    expect(takeOf('/a', 's2')).toMatchObject({ submitted: {}, value: {}, applied: true, current: true });
    expect(takeOf('/a', 's1')).toMatchObject({ submitted: null, value: null, applied: true });
  });

  it('is computed from the events alone, in version order whatever order they are given in', () => {
    const stream = twoDevicesOnY();
    expect(fieldTakes([...stream.events].reverse())).toEqual(fieldTakes(stream.events));
  });

  it('leaves out the fields the server manages: never a take', () => {
    const stream = new InMemoryStream({ y: 'y0', updated_at: '2026-03-01T08:00:00.000Z' });
    stream.write({ command_id: 'b', device: 'B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'put', data: { y: 'yB', updated_at: '2026-03-01T09:00:01.000Z' }, base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' });
    expect(fieldTakes(stream.events).map((h) => h.field)).toEqual(['/updated_at', '/y']);
    expect(fieldTakes(stream.events, { managed: new Set(['updated_at']) }).map((h) => h.field)).toEqual(['/y']);
  });

  it('a delete that met an offline edit is a contest named /_record, with {deleted} takes a reviewer can pick', () => {
    const stream = new InMemoryStream({ y: 'y0' });
    // B deletes; A, offline since version 1, edits y and syncs after, but submitted before the delete: shelved.
    stream.write({ command_id: 'b', device: 'B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'delete', base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' });
    const shelved = stream.write({ command_id: 'a', device: 'A', submit_ts: '2026-03-01T08:30:00.000Z', op: 'put', data: { y: 'yA' }, base_version: 1, commit_at: '2026-03-01T09:30:01.000Z' });
    expect(shelved).toMatchObject({ outcome: 'shelved', contested: ['/_record'] });
    const record = fieldTakes(stream.events).find((h) => h.field === '/_record')!;
    expect(record).toMatchObject({ value: { deleted: true }, contested: true });
    expect(record.takes.map((t) => [t.type, t.value, t.applied, t.current])).toEqual([
      ['created', { deleted: false }, true, false],
      ['deleted', { deleted: true }, true, true],
      ['shelved', { deleted: false }, false, false],
    ]);
    // A reviewer's pick of it: a restore, then a resolved event submitting the pick.
    const last = stream.events[stream.events.length - 1];
    const restored = { ...last, id: 'evt-r', type: 'restored' as const, version: 4, prior_version: 3, base_version: 3, patch: [], submitted: {}, contested: [] };
    const resolved = { ...restored, id: 'evt-p', type: 'resolved' as const, version: 5, prior_version: 4, base_version: 3, submitted: { _record: { deleted: false } } };
    const after = fieldTakes([...stream.events, restored, resolved]).find((h) => h.field === '/_record')!;
    expect(after.value).toEqual({ deleted: false });
    expect(after.takes.filter((t) => t.current)).toEqual([expect.objectContaining({ type: 'resolved', picked: true, value: { deleted: false } })]);
  });
});
