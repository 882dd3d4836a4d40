import { allRelations, entity, relation } from './inspection-app.fixture';
import { attachIncluded, INCLUDE_KEY, includedEntityName, includeKeyColumn, includeKeys, includesOne, resolveInclude } from './includes';
import type { Include } from './list-query';

const inspection = entity('inspection');
const findings: Include = { name: 'findings', relation: relation('findings'), direction: 'forward' };
const report: Include = { name: 'report', relation: relation('report'), direction: 'forward' };
const tags: Include = { name: 'tags', relation: relation('tags'), direction: 'forward' };
const site: Include = { name: 'site', relation: relation('inspections'), direction: 'reverse' };

const rows = [
  { id: 'i1', site_id: 's1' },
  { id: 'i2', site_id: 's1' },
  { id: 'i3', site_id: null },
];

describe('includes: resolving, keying and attaching', () => {
  it('resolveInclude does not depend on the order of relations', () => {
    const reversed = [...allRelations].reverse();
    for (const name of ['findings', 'report', 'tags', 'site', 'inspections', 'finding', 'tag']) {
      expect(resolveInclude(inspection, reversed, name)).toEqual(resolveInclude(inspection, allRelations, name));
    }
    expect(resolveInclude(inspection, allRelations, 'nothing')).toBeNull();
  });

  it('what each include loads, and by which column of the listed rows', () => {
    expect([findings, report, tags, site].map(includedEntityName)).toEqual(['finding', 'report', 'tag', 'site']);
    expect([findings, report, tags, site].map(includeKeyColumn)).toEqual(['id', 'id', 'id', 'site_id']);
    expect([findings, report, tags, site].map(includesOne)).toEqual([false, true, false, true]);
    const reverseTags: Include = { name: 'tags', relation: relation('tags'), direction: 'reverse' };
    expect(includeKeyColumn(reverseTags)).toBe('id');
    expect(includesOne(reverseTags)).toBe(false);
  });

  it('includeKeys: distinct, non-null, first seen first; a number and its text are one key', () => {
    expect(includeKeys(findings, rows)).toEqual(['i1', 'i2', 'i3']);
    expect(includeKeys(site, rows)).toEqual(['s1']);
    expect(includeKeys(findings, [{ id: 5 }, { id: '5' }, { id: 6 }])).toEqual([5, 6]);
    expect(includeKeys(findings, [])).toEqual([]);
  });

  it('one_to_many: a list per row, maybe empty; the include key is dropped', () => {
    const out = attachIncluded(findings, rows, [
      { id: 'f1', text: 'a', [INCLUDE_KEY]: 'i1' },
      { id: 'f2', text: 'b', [INCLUDE_KEY]: 'i1' },
      { id: 'f3', text: 'c', [INCLUDE_KEY]: 'i2' },
    ]);
    expect(out).toEqual([
      { id: 'i1', site_id: 's1', findings: [{ id: 'f1', text: 'a' }, { id: 'f2', text: 'b' }] },
      { id: 'i2', site_id: 's1', findings: [{ id: 'f3', text: 'c' }] },
      { id: 'i3', site_id: null, findings: [] },
    ]);
    expect(rows[0]).not.toHaveProperty('findings');
  });

  it('one_to_one: one record or null', () => {
    const out = attachIncluded(report, rows, [{ id: 'r1', [INCLUDE_KEY]: 'i2' }]);
    expect(out.map((r) => r.report)).toEqual([null, { id: 'r1' }, null]);
  });

  it('many_to_many: a target linked to two rows appears under both', () => {
    const out = attachIncluded(tags, rows, [
      { id: 't1', [INCLUDE_KEY]: 'i1' },
      { id: 't1', [INCLUDE_KEY]: 'i2' },
      { id: 't2', [INCLUDE_KEY]: 'i2' },
    ]);
    expect(out.map((r) => r.tags)).toEqual([[{ id: 't1' }], [{ id: 't1' }, { id: 't2' }], []]);
  });

  it('reverse: the parent or null (a null foreign key gets null)', () => {
    const out = attachIncluded(site, rows, [{ id: 's1', name: 'Quay', [INCLUDE_KEY]: 's1' }]);
    expect(out.map((r) => r.site)).toEqual([{ id: 's1', name: 'Quay' }, { id: 's1', name: 'Quay' }, null]);
  });

  it('keys compare as text (a bigint read as a string meets its number)', () => {
    const out = attachIncluded(findings, [{ id: 12 }], [{ id: 'f', [INCLUDE_KEY]: '12' }]);
    expect(out[0].findings).toEqual([{ id: 'f' }]);
  });
});
