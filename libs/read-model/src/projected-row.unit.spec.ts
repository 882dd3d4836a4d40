import { compare } from 'fast-json-patch';
import type { PatchOperation } from '@takes/contracts';
import { createdRow, deletedRow, eventStanding, patchedRow, restoredRow, rowsToLoad, versionOnly } from './projected-row';

const event = (version: number, patch: PatchOperation[]) => ({ entity_id: 'r1', version, patch, commit_ts: `2026-11-23T10:00:0${version}.000Z`, position: 100 + version });

describe('projected rows', () => {
  it('follow a record through create, update, delete, shelve and restore', () => {
    let row = createdRow(event(1, compare({}, { a: 1 }) as PatchOperation[]));
    expect(row).toMatchObject({ state: { a: 1 }, version: 1, applied: 1, deleted: false });
    row = patchedRow(row, event(2, [{ op: 'replace', path: '/a', value: 2 }]));
    row = deletedRow(row, event(3, []));
    expect(row).toMatchObject({ state: { a: 2 }, version: 3, deleted: true });
    row = versionOnly(row, event(4, []));
    row = restoredRow(row, event(5, []));
    expect(row).toMatchObject({ state: { a: 2 }, version: 5, deleted: false, applied: 5, position: 105 });
  });

  it('tell the next version from a redelivery and from a gap', () => {
    const row = createdRow(event(1, []));
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
