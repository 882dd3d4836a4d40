import { MetaStateCache } from './meta-state-cache';
import { metaStateOf, type PositionedMetaItem } from './meta-state';

const entity = (name: string, position: number, fields: string[] = ['id', 'site']): PositionedMetaItem => ({
  key: `entity:${name}`,
  definition: { name, table: `${name}s`, fields: fields.map((f) => ({ name: f, type: f === 'id' ? 'uuid' : 'string' })) },
  removed: false,
  position,
});

describe('MetaStateCache', () => {
  it('gives the parse of the same records at the same positions once, in any order they are read', () => {
    const cache = new MetaStateCache();
    const first = cache.stateOf([entity('inspection', 3), entity('site', 5)]);
    expect(cache.stateOf([entity('site', 5), entity('inspection', 3)])).toBe(first);
    expect(first).toEqual(metaStateOf([entity('inspection', 3), entity('site', 5)]));
    expect(cache.size).toBe(1);
  });

  it('parses again when a record changed (a new position), was removed, or another set of records is read', () => {
    const cache = new MetaStateCache();
    const before = cache.stateOf([entity('inspection', 3)]);
    const changed = cache.stateOf([entity('inspection', 9, ['id', 'site', 'pressure'])]);
    expect(changed).not.toBe(before);
    expect(changed.metadata.entities.get('inspection')!.fields.map((f) => f.name)).toContain('pressure');
    const removed = cache.stateOf([{ ...entity('inspection', 11), removed: true }]);
    expect(removed.metadata.entities.has('inspection')).toBe(false);
    expect(cache.stateOf([entity('inspection', 3), entity('site', 5)])).not.toBe(before);
    expect(cache.stateOf([entity('inspection', 3)])).toBe(before);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new MetaStateCache(2);
    const a = cache.stateOf([entity('a', 1)]);
    cache.stateOf([entity('b', 2)]);
    expect(cache.stateOf([entity('a', 1)])).toBe(a);
    cache.stateOf([entity('c', 3)]);
    expect(cache.size).toBe(2);
    expect(cache.stateOf([entity('a', 1)])).toBe(a);
    const b = cache.stateOf([entity('b', 2)]);
    expect(cache.stateOf([entity('b', 2)])).toBe(b);
  });
});
