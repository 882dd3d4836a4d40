import { compare } from 'fast-json-patch';
import type { EventType, PatchOperation } from '@takes/contracts';
import { eventStanding, projectedRow, rowsToLoad } from './projected-row';

const event = (type: EventType, version: number, patch: PatchOperation[]) => ({ type, entity_id: 'r1', version, patch, commit_ts: `2026-11-23T10:00:0${version}.000Z`, position: 100 + version });

describe('projected rows', () => {
  it('follow a record through create, update, delete, shelve and restore', () => {
    let row = projectedRow(undefined, event('created', 1, compare({}, { a: 1 }) as PatchOperation[]));
    expect(row).toMatchObject({ id: 'r1', state: { a: 1 }, version: 1, applied: 1, deleted: false });
    row = projectedRow(row, event('updated', 2, [{ op: 'replace', path: '/a', value: 2 }]));
    row = projectedRow(row, event('deleted', 3, []));
    expect(row).toMatchObject({ state: { a: 2 }, version: 3, deleted: true });
    row = projectedRow(row, event('shelved', 4, []));
    row = projectedRow(row, event('restored', 5, []));
    expect(row).toMatchObject({ state: { a: 2 }, version: 5, deleted: false, applied: 5, position: 105 });
  });

  it('move only the version on for a type this build does not know, with or without a row', () => {
    const unknown = { ...event('created', 2, [{ op: 'add', path: '/b', value: 1 }]), type: 'archived' as EventType };
    const row = projectedRow(projectedRow(undefined, event('created', 1, [{ op: 'add', path: '/a', value: 1 }])), unknown);
    expect(row).toEqual({ id: 'r1', state: { a: 1 }, version: 2, deleted: false, updatedAt: unknown.commit_ts, position: 102, applied: 2 });
    expect(projectedRow(undefined, unknown)).toMatchObject({ id: 'r1', state: {}, version: 2, deleted: false, applied: 1 });
  });

  it('tell the next version from a redelivery and from a gap', () => {
    const row = projectedRow(undefined, event('created', 1, []));
    expect(eventStanding(undefined, 1)).toBe('apply');
    expect(eventStanding(undefined, 2)).toBe('gap');
    expect(eventStanding(row, 1)).toBe('skip');
    expect(eventStanding(row, 2)).toBe('apply');
    expect(eventStanding(row, 4)).toBe('gap');
  });

  it('read only the rows of records whose first event in the batch is not their version 1', () => {
    const batch = [
      { entity_id: 'new', version: 1 },
      { entity_id: 'new', version: 2 },
      { entity_id: 'old', version: 7 },
      { entity_id: 'late', version: 3 },
      { entity_id: 'late', version: 1 },
    ];
    expect(rowsToLoad(batch).sort()).toEqual(['old']);
    expect(rowsToLoad([])).toEqual([]);
  });
});
