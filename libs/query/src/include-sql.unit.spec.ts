import type { RelationDefinition } from '@takes/metadata';
import { buildIncludeQuery } from './include-sql';
import { allRelations, db, entity, relation } from './inspection-app.fixture';
import { includedEntityName } from './includes';
import type { Include } from './list-query';
import type { ReadOptions } from './list-sql';
import { parseListQuery } from './parse-list-query';

function include(on: string, name: string): Include {
  return parseListQuery(entity(on), allRelations, { include: name }).include[0];
}
function compiled(inc: Include, keys: unknown[], options?: ReadOptions) {
  return buildIncludeQuery(db, 'app_main', inc, entity(includedEntityName(inc)), keys, options).compile();
}

const K1 = '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a51';
const K2 = '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a52';

describe('buildIncludeQuery: one query per include for the whole page', () => {
  it('one_to_many (forward): children by their foreign key, soft-deleted children hidden', () => {
    const q = compiled(include('inspection', 'findings'), [K1, K2]);
    expect(q.sql).toBe(
      'select "r"."id", "r"."inspection_id", "r"."text", "r"."deleted_at", "r"."_version", "r"."_updated_at", "r"."inspection_id" as "_include_key" ' +
        'from "app_main"."findings" as "r" where ("r"."inspection_id" = any($1) and "r"."deleted_at" is null) order by "r"."inspection_id", "r"."id"',
    );
    expect(q.parameters).toEqual([[K1, K2]]);
  });

  it('one_to_one (forward): the same shape, on a table without soft delete', () => {
    const q = compiled(include('inspection', 'report'), [K1]);
    expect(q.sql).toBe(
      'select "r"."id", "r"."inspection_id", "r"."_version", "r"."_updated_at", "r"."inspection_id" as "_include_key" ' +
        'from "app_main"."reports" as "r" where "r"."inspection_id" = any($1) order by "r"."inspection_id", "r"."id"',
    );
    expect(q.parameters).toEqual([[K1]]);
  });

  it('many_to_many (forward): through the join table, one row per link, keyed by source_join_key', () => {
    const q = compiled(include('inspection', 'tags'), [K1, K2]);
    expect(q.sql).toBe(
      'select "r"."id", "r"."label", "r"."deleted_at", "r"."_version", "r"."_updated_at", "j"."inspection_id" as "_include_key" ' +
        'from "app_main"."inspection_tags" as "j" inner join "app_main"."tags" as "r" on "r"."id" = "j"."tag_id" ' +
        'where ("j"."inspection_id" = any($1) and "r"."deleted_at" is null) order by "j"."inspection_id", "r"."id"',
    );
    expect(q.parameters).toEqual([[K1, K2]]);
  });

  it('many_to_many with tombstones: an unlinked pair (a tombstone join row) is left out, as are deleted targets', () => {
    const q = compiled(include('inspection', 'tags'), [K1], { tombstoneColumn: '_deleted' });
    expect(q.sql).toContain(
      'where ("j"."inspection_id" = any($1) and "j"."_deleted" is not true and "r"."deleted_at" is null and "r"."_deleted" is not true)',
    );
  });

  it('many_to_many (reverse): from the target side, keyed by target_join_key', () => {
    const q = compiled(include('tag', 'tags'), [K1]);
    expect(q.sql).toContain('"j"."tag_id" as "_include_key" from "app_main"."inspection_tags" as "j" inner join "app_main"."inspections" as "r" on "r"."id" = "j"."inspection_id"');
    expect(q.sql).toMatch(/where \("j"\."tag_id" = any\(\$1\) and "r"\."deleted_at" is null\) order by "j"\."tag_id", "r"\."id"$/);
  });

  it('one_to_many (reverse, include=site on inspection): the parents by source_key', () => {
    const q = compiled(include('inspection', 'site'), [K1, K2]);
    expect(q.sql).toBe(
      'select "r"."id", "r"."name", "r"."_version", "r"."_updated_at", "r"."id" as "_include_key" ' +
        'from "app_main"."sites" as "r" where "r"."id" = any($1) order by "r"."id"',
    );
    expect(q.parameters).toEqual([[K1, K2]]);
  });

  it('softDelete option overrides the entity', () => {
    expect(compiled(include('inspection', 'findings'), [K1], { softDelete: false }).sql).not.toContain('deleted_at" is null');
    expect(compiled(include('inspection', 'report'), [K1], { softDelete: true }).sql).toContain('"r"."deleted_at" is null');
  });

  it('tombstoneColumn and extraColumns apply to the related table', () => {
    const q = compiled(include('inspection', 'tags'), [K1], { tombstoneColumn: '_deleted', extraColumns: ['_state'] });
    expect(q.sql).toContain('"r"."_updated_at", "r"."_state", "j"."inspection_id" as "_include_key"');
    expect(q.sql).toContain('where ("j"."inspection_id" = any($1) and "j"."_deleted" is not true and "r"."deleted_at" is null and "r"."_deleted" is not true)');
  });

  it('keys are one parameter whatever they hold (an injection attempt included)', () => {
    const attack = "1) or (1=1";
    const q = compiled(include('inspection', 'findings'), [attack, 3, '9223372036854775807']);
    expect(q.sql).not.toContain('1=1');
    expect(q.parameters).toEqual([[attack, 3, '9223372036854775807']]);
  });

  it('no keys: a valid query that finds nothing (callers may skip it)', () => {
    expect(compiled(include('inspection', 'tags'), []).parameters).toEqual([[]]);
  });

  it('refuses the wrong related entity, a many_to_many without join table, and bad names', () => {
    const inc = include('inspection', 'findings');
    expect(() => buildIncludeQuery(db, 'app_main', inc, entity('tag'), [K1])).toThrow('include findings loads finding, not tag');
    const broken: RelationDefinition = { ...relation('tags'), join_table: undefined };
    expect(() => buildIncludeQuery(db, 'app_main', { name: 'tags', relation: broken, direction: 'forward' }, entity('tag'), [K1])).toThrow(/join table/);
    const evil: RelationDefinition = { ...relation('findings'), target_key: 'inspection_id" or 1=1 --' };
    expect(() => buildIncludeQuery(db, 'app_main', { name: 'findings', relation: evil, direction: 'forward' }, entity('finding'), [K1])).toThrow(
      expect.objectContaining({ code: 'INTERNAL_ERROR' }),
    );
    expect(() => buildIncludeQuery(db, 'app main', inc, entity('finding'), [K1])).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
  });
});
