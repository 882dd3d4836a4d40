import { TakesError } from '@takes/contracts';
import fc from 'fast-check';
import { allRelations, db, entity } from './inspection-app.fixture';
import type { ListQuery } from './list-query';
import { buildListQuery } from './list-sql';
import { parseListQuery, type RawQuery } from './parse-list-query';

const inspection = entity('inspection');
const table = { schema: 'app_main', table: 'inspections' };
const COLUMNS =
  '"id", "site", "notes", "score", "visits", "cost", "passed", "inspector", "inspected_at", "due", "extra", "photo", "site_id", "deleted_at", "_version", "_updated_at"';
const FROM = 'from "app_main"."inspections"';

function compiled(query: RawQuery, options?: { softDelete?: boolean }) {
  const list = buildListQuery(db, table, inspection, parseListQuery(inspection, allRelations, query), options);
  return { rows: list.rows.compile(), count: list.count.compile() };
}
/** The where clause (and what follows) of the page query, with its parameters. */
function where(query: RawQuery) {
  const { rows } = compiled(query);
  return { sql: rows.sql.slice(rows.sql.indexOf(' where ') + 1), parameters: rows.parameters };
}

describe('buildListQuery: the page and its total', () => {
  it('allowedRows (a read permission): an OR of ANDs on the page and its total, values as parameters; none allowed is false', () => {
    const allowedRows = [[{ field: 'site', op: 'eq' as const, value: 'north' }, { field: 'score', op: 'lte' as const, value: 10 }], [{ field: 'inspector', op: 'in' as const, values: ['u-7'] }]];
    const list = buildListQuery(db, table, inspection, parseListQuery(inspection, allRelations, { 'filter[site]': 'south' }), { allowedRows });
    const rows = list.rows.compile();
    expect(rows.sql).toContain(`where ("deleted_at" is null and "site" = $1 and (("site" = $2 and "score" <= $3) or "inspector" = any($4)))`);
    expect(rows.parameters.slice(0, 4)).toEqual(['south', 'north', 10, ['u-7']]);
    expect(list.count.compile().sql).toContain('or "inspector" = any($4)');
    const none = buildListQuery(db, table, inspection, parseListQuery(inspection, allRelations, {}), { allowedRows: [] }).rows.compile();
    expect(none.sql).toContain('where ("deleted_at" is null and false)');
    expect(() => buildListQuery(db, table, inspection, parseListQuery(inspection, allRelations, {}), { allowedRows: [[{ field: 'ghost', op: 'eq', value: 1 }]] }).rows.compile()).toThrow(TakesError);
  });

  it('no query: live rows, every column, primary key order, first page of 25', () => {
    const { rows, count } = compiled({});
    expect(rows.sql).toBe(`select ${COLUMNS} ${FROM} where "deleted_at" is null order by "id" asc limit $1 offset $2`);
    expect(rows.parameters).toEqual([25, 0]);
    expect(count.sql).toBe(`select count(*) as "total" ${FROM} where "deleted_at" is null`);
    expect(count.parameters).toEqual([]);
  });

  it('softDelete false: no deleted_at condition (and none at all without filters)', () => {
    const { rows, count } = compiled({}, { softDelete: false });
    expect(rows.sql).toBe(`select ${COLUMNS} ${FROM} order by "id" asc limit $1 offset $2`);
    expect(count.sql).toBe(`select count(*) as "total" ${FROM}`);
  });

  it('an entity without soft delete: no deleted_at column or condition by default', () => {
    const site = entity('site');
    const list = buildListQuery(db, { schema: 'app_main', table: 'sites' }, site, parseListQuery(site, [], {}));
    expect(list.rows.compile().sql).toBe('select "id", "name", "_version", "_updated_at" from "app_main"."sites" order by "id" asc limit $1 offset $2');
  });

  it('tombstoneColumn hides tombstones; extraColumns are selected after the list columns', () => {
    const site = entity('site');
    const q = parseListQuery(site, [], { 'filter[name]': 'Quay' });
    const list = buildListQuery(db, { schema: 'app_main', table: 'sites' }, site, q, { tombstoneColumn: '_deleted', extraColumns: ['_state', '_version'] });
    expect(list.rows.compile().sql).toBe(
      'select "id", "name", "_version", "_updated_at", "_state" from "app_main"."sites" where ("_deleted" is not true and "name" = $1) order by "id" asc limit $2 offset $3',
    );
    expect(list.count.compile().sql).toBe('select count(*) as "total" from "app_main"."sites" where ("_deleted" is not true and "name" = $1)');
    expect(() => buildListQuery(db, table, site, q, { tombstoneColumn: 'x" or true' })).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
    expect(() => buildListQuery(db, table, site, q, { extraColumns: ['a.b'] })).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
  });

  it.each([
    ['eq', 'filter[score]', '7', '"score" = $1', 7],
    ['neq', 'filter[score.neq]', '7', '"score" <> $1', 7],
    ['gt', 'filter[score.gt]', '7', '"score" > $1', 7],
    ['gte', 'filter[cost.gte]', '10.50', '"cost" >= $1', '10.50'],
    ['lt', 'filter[inspected_at.lt]', '2026-11-23', '"inspected_at" < $1', '2026-11-23T00:00:00.000Z'],
    ['lte', 'filter[due.lte]', '2026-11-23', '"due" <= $1', '2026-11-23'],
    ['like', 'filter[site.like]', '%Quay%', '"site" like $1', '%Quay%'],
    ['eq on boolean', 'filter[passed]', 'false', '"passed" = $1', false],
    ['eq on bigint', 'filter[visits]', '9223372036854775807', '"visits" = $1', '9223372036854775807'],
    ['eq on uuid', 'filter[inspector]', 'AAAAAAAA-1C3D-7E4F-8A9B-0C1D2E3F4A5B', '"inspector" = $1', 'aaaaaaaa-1c3d-7e4f-8a9b-0c1d2e3f4a5b'],
    ['eq on text', 'filter[notes]', 'rust', '"notes" = $1', 'rust'],
  ])('%s: one parameter', (_name, key, raw, condition, parameter) => {
    expect(where({ [key]: raw })).toEqual({
      sql: `where ("deleted_at" is null and ${condition}) order by "id" asc limit $2 offset $3`,
      parameters: [parameter, 25, 0],
    });
  });

  it('in / not_in: the list is one array parameter', () => {
    expect(where({ 'filter[score.in]': '1,2,3', 'filter[site.not_in]': 'A,B' })).toEqual({
      sql: 'where ("deleted_at" is null and "score" = any($1) and "site" <> all($2)) order by "id" asc limit $3 offset $4',
      parameters: [[1, 2, 3], ['A', 'B'], 25, 0],
    });
  });

  it('json and file columns compare as jsonb', () => {
    expect(where({ 'filter[extra]': '{"a":1}', 'filter[photo.neq]': '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b' })).toEqual({
      sql: 'where ("deleted_at" is null and "extra" = cast($1 as jsonb) and "photo" <> cast($2 as jsonb)) order by "id" asc limit $3 offset $4',
      parameters: ['{"a":1}', '"0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b"', 25, 0],
    });
  });

  it('the count has the same conditions and parameters, no order and no paging', () => {
    const { count } = compiled({ 'filter[score.gte]': '3', 'filter[site.like]': 'Q%', sort: '-score', page: '4' });
    expect(count.sql).toBe(`select count(*) as "total" ${FROM} where ("deleted_at" is null and "score" >= $1 and "site" like $2)`);
    expect(count.parameters).toEqual([3, 'Q%']);
  });

  it('sort on several fields, then the primary key as the tie-break', () => {
    expect(where({ sort: '-inspected_at,site,-_version' }).sql).toBe(
      'where "deleted_at" is null order by "inspected_at" desc, "site" asc, "_version" desc, "id" asc limit $1 offset $2',
    );
  });

  it('no tie-break when the primary key is already sorted on', () => {
    expect(where({ sort: 'site,-id' }).sql).toBe('where "deleted_at" is null order by "site" asc, "id" desc limit $1 offset $2');
    const counter = entity('counter');
    const list = buildListQuery(db, { schema: 'app_x', table: 'counters' }, counter, parseListQuery(counter, [], { sort: '-label' }));
    expect(list.rows.compile().sql).toBe(
      'select "n", "label", "_version", "_updated_at" from "app_x"."counters" order by "label" desc, "n" asc limit $1 offset $2',
    );
  });

  it('paging: limit per_page, offset (page - 1) * per_page, both parameters', () => {
    expect(compiled({ page: '3', per_page: '10' }).rows.parameters).toEqual([10, 20]);
    expect(compiled({ page: '1', per_page: '100' }).rows.parameters).toEqual([100, 0]);
    expect(compiled({ page: '2', per_page: '1000' }).rows.parameters).toEqual([100, 100]);
    expect(compiled({ page: '0', per_page: '0' }).rows.parameters).toEqual([25, 0]);
  });

  it('an injection attempt in a value stays a parameter', () => {
    const attack = "x'; drop table inspections; --";
    const { rows, count } = compiled({ 'filter[site]': attack, 'filter[notes.like]': "%' or '1'='1", 'filter[site.in]': `a,${attack}` });
    for (const text of [rows.sql, count.sql]) {
      expect(text).not.toContain('drop');
      expect(text).not.toContain("'");
    }
    expect(rows.parameters.slice(0, 3)).toEqual([attack, "%' or '1'='1", ['a', attack]]);
  });

  it('an injection attempt in a field name is refused with UNKNOWN_FIELD before any SQL', () => {
    for (const query of [
      { 'filter[site" = \'x\' or 1=1 --]': 'x' },
      { 'filter[inspections.id]': 'x' },
      { sort: '-site;drop table inspections' },
      { sort: 'id" desc, (select 1)--' },
      { include: 'tags) union select * from users --' },
    ]) {
      let error: unknown;
      try {
        compiled(query);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TakesError);
      expect((error as TakesError).code).toBe('UNKNOWN_FIELD');
    }
  });

  it('a hand-made ListQuery is checked against metadata again', () => {
    const base: ListQuery = { filters: [], sort: [], page: 1, perPage: 25, include: [] };
    const run = (q: ListQuery) => buildListQuery(db, table, inspection, q);
    expect(() => run({ ...base, filters: [{ field: 'site"--', op: 'eq', value: 'x' }] })).toThrow('Unknown filter field: site"--');
    expect(() => run({ ...base, sort: [{ field: 'nope', dir: 'asc' }] })).toThrow('Unknown sort field: nope');
    expect(() => run({ ...base, filters: [{ field: 'passed', op: 'gt', value: true }] })).toThrow(/does not apply/);
    expect(() => run({ ...base, page: 0 })).toThrow(/page/);
    expect(() => run({ ...base, perPage: 2.5 })).toThrow(/perPage/);
  });

  it('schema and table names must be plain SQL names', () => {
    const q = parseListQuery(inspection, [], {});
    for (const bad of [{ schema: 'app_main"; drop', table: 'inspections' }, { schema: 'app_main', table: 'a.b' }, { schema: '', table: 'x' }]) {
      expect(() => buildListQuery(db, bad, inspection, q)).toThrow(expect.objectContaining({ code: 'INTERNAL_ERROR' }));
    }
  });

  it('property: a string filter value never reaches the SQL text', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => !s.includes('\u0000')), (value) => {
        const { rows } = compiled({ 'filter[site]': value, 'filter[notes.like]': value });
        expect(rows.sql).toBe(`select ${COLUMNS} ${FROM} where ("deleted_at" is null and "site" = $1 and "notes" like $2) order by "id" asc limit $3 offset $4`);
        expect(rows.parameters).toEqual([value, value, 25, 0]);
      }),
    );
  });
});
