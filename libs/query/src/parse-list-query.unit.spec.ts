import { TakesError } from '@takes/contracts';
import type { FieldType } from '@takes/metadata';
import fc from 'fast-check';
import { allRelations, entity, relation } from './inspection-app.fixture';
import { FILTER_OPERATORS, listColumns, type FilterOperator } from './list-query';
import { parseListQuery, type RawQuery } from './parse-list-query';

const inspection = entity('inspection');
const limits = { defaultPerPage: 25, maxPerPage: 100 };
const parse = (query: RawQuery) => parseListQuery(inspection, allRelations, query, limits);

function thrown(query: RawQuery): TakesError {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof TakesError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be refused`);
}

const UUID_TEXT = '0190A5B2-1C3D-7E4F-8A9B-0C1D2E3F4A5B';
const UUID = UUID_TEXT.toLowerCase();

/** One column per field type in the fixture, a value as a client writes it and as it is read. */
const byType: Record<FieldType, { field: string; raw: string; read: unknown; raw2: string; read2: unknown }> = {
  string: { field: 'site', raw: 'Quay 4', read: 'Quay 4', raw2: 'Dock', read2: 'Dock' },
  text: { field: 'notes', raw: 'rust', read: 'rust', raw2: 'ok', read2: 'ok' },
  int: { field: 'score', raw: '7', read: 7, raw2: '-3', read2: -3 },
  bigint: { field: 'visits', raw: '9223372036854775807', read: '9223372036854775807', raw2: '12', read2: 12 },
  decimal: { field: 'cost', raw: '10.005', read: '10.005', raw2: '1e2', read2: '100' },
  boolean: { field: 'passed', raw: 'true', read: true, raw2: '0', read2: false },
  uuid: { field: 'inspector', raw: UUID_TEXT, read: UUID, raw2: UUID, read2: UUID },
  timestamp: {
    field: 'inspected_at',
    raw: '2026-11-23T10:30:00+02:00',
    read: '2026-11-23T08:30:00.000Z',
    raw2: '2026-11-24',
    read2: '2026-11-24T00:00:00.000Z',
  },
  date: { field: 'due', raw: '2026-11-23', read: '2026-11-23', raw2: '2026-12-01', read2: '2026-12-01' },
  json: { field: 'extra', raw: '{"a": [1, 2]}', read: '{"a":[1,2]}', raw2: '"x"', read2: '"x"' },
  file: { field: 'photo', raw: UUID_TEXT, read: JSON.stringify(UUID), raw2: '{"id":"f"}', read2: '{"id":"f"}' },
};

const allowed: Record<FieldType, readonly FilterOperator[]> = {
  string: FILTER_OPERATORS,
  text: FILTER_OPERATORS,
  int: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  bigint: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  decimal: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  uuid: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  timestamp: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  boolean: ['eq', 'neq', 'in', 'not_in'],
  json: ['eq', 'neq'],
  file: ['eq', 'neq'],
};

describe('parseListQuery: filters', () => {
  it('the fixture covers every field type', () => {
    const types = new Set(inspection.fields.map((f) => f.type));
    for (const type of Object.keys(byType)) expect(types.has(type as FieldType)).toBe(true);
  });

  for (const [type, sample] of Object.entries(byType) as [FieldType, (typeof byType)[FieldType]][]) {
    describe(`${type} (${sample.field})`, () => {
      it('filter[f]=v means eq', () => {
        expect(parse({ [`filter[${sample.field}]`]: sample.raw }).filters).toEqual([{ field: sample.field, op: 'eq', value: sample.read }]);
      });

      for (const op of FILTER_OPERATORS) {
        if (!allowed[type].includes(op)) {
          it(`${op} is refused: 400 INVALID_PAYLOAD, rule operator`, () => {
            const error = thrown({ [`filter[${sample.field}.${op}]`]: sample.raw });
            expect(error.code).toBe('INVALID_PAYLOAD');
            expect(error.details).toEqual([expect.objectContaining({ field: sample.field, rule: 'operator' })]);
            expect(error.message).toContain(`${op} does not apply to ${sample.field} (${type})`);
          });
        } else if (op === 'in' || op === 'not_in') {
          it(`${op} takes a comma-separated list, each item trimmed and read`, () => {
            const q = parse({ [`filter[${sample.field}.${op}]`]: `${sample.raw} , ${sample.raw2}` });
            // strings are trimmed per item too, as Rocket trims them
            expect(q.filters).toEqual([{ field: sample.field, op, values: [sample.read, sample.read2] }]);
          });
        } else if (op === 'like') {
          it('like keeps the pattern as written (no % added)', () => {
            expect(parse({ [`filter[${sample.field}.like]`]: '%ac_me%' }).filters).toEqual([
              { field: sample.field, op: 'like', value: '%ac_me%' },
            ]);
          });
        } else {
          it(`${op} reads the value by type`, () => {
            expect(parse({ [`filter[${sample.field}.${op}]`]: sample.raw }).filters).toEqual([{ field: sample.field, op, value: sample.read }]);
          });
        }
      }

      if (type !== 'string' && type !== 'text') {
        it('a value that does not read as the type: 400 INVALID_PAYLOAD with a detail', () => {
          const error = thrown({ [`filter[${sample.field}]`]: 'not-a-value' });
          expect(error.code).toBe('INVALID_PAYLOAD');
          expect(error.message).toMatch(new RegExp(`^Invalid filter value for ${sample.field}: `));
          expect(error.details).toEqual([expect.objectContaining({ field: sample.field, rule: 'type' })]);
        });
      }
    });
  }

  it('one bad item spoils an in list', () => {
    const error = thrown({ 'filter[score.in]': '1,two,3' });
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.details).toEqual([expect.objectContaining({ field: 'score', rule: 'type' })]);
  });

  it('an empty in item of a string column is the empty string (as Rocket)', () => {
    expect(parse({ 'filter[site.in]': 'a,' }).filters).toEqual([{ field: 'site', op: 'in', values: ['a', ''] }]);
  });

  it('unknown field: 400 UNKNOWN_FIELD, Rocket message, detail with rule unknown', () => {
    const error = thrown({ 'filter[colour]': 'red' });
    expect(error).toBeInstanceOf(TakesError);
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.message).toBe('Unknown filter field: colour');
    expect(error.details).toEqual([{ field: 'colour', rule: 'unknown', message: 'Unknown filter field: colour' }]);
  });

  it('an SQL-looking field name is an unknown field, and so is an operator on it', () => {
    const error = thrown({ 'filter[site;drop table inspections--]': 'x', 'filter[id) or (1=1.eq]': 'y' });
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect((error.details as { field: string }[]).map((d) => d.field)).toEqual(['site;drop table inspections--', 'id) or (1=1']);
  });

  it('unknown operator: 400 INVALID_PAYLOAD, rule operator (Rocket would silently use eq)', () => {
    for (const op of ['between', 'EQ', 'ilike', 'gte.x', '']) {
      const error = thrown({ [`filter[score.${op}]`]: '1' });
      expect(error.code).toBe('INVALID_PAYLOAD');
      expect(error.details).toEqual([expect.objectContaining({ field: 'score', rule: 'operator' })]);
    }
  });

  it('unknown names win over bad values, and every problem is listed', () => {
    const error = thrown({ 'filter[score]': 'x', 'filter[nope]': '1', sort: 'also_nope', include: 'nothing' });
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.message).toBe('Unknown filter field: nope');
    expect((error.details as { field: string }[]).map((d) => d.field)).toEqual(['nope', 'also_nope', 'nothing']);
  });

  it('several filters, and a repeated one, all hold (AND)', () => {
    const q = parse({ 'filter[score.gte]': ['1', '3'], 'filter[site]': 'A', 'filter[passed]': 'false' });
    expect(q.filters).toEqual([
      { field: 'score', op: 'gte', value: 1 },
      { field: 'score', op: 'gte', value: 3 },
      { field: 'site', op: 'eq', value: 'A' },
      { field: 'passed', op: 'eq', value: false },
    ]);
  });

  it('a filter object (as the qs parser gives it) is read the same way', () => {
    expect(parse({ filter: { 'score.lt': '9', site: 'A' } }).filters).toEqual([
      { field: 'score', op: 'lt', value: 9 },
      { field: 'site', op: 'eq', value: 'A' },
    ]);
    expect(thrown({ filter: { site: { eq: 'A' } } }).code).toBe('INVALID_PAYLOAD');
  });

  it('keys that are not filter[...] are ignored, as Rocket ignores them', () => {
    expect(parse({ filter: 'x', 'filter[site': 'A', 'filters[site]': 'B', q: 'z', fields: 'id' }).filters).toEqual([]);
  });

  it('system columns: _version, _updated_at and the undeclared deleted_at of a soft-delete entity', () => {
    expect(parse({ 'filter[_version.gt]': '2', 'filter[_updated_at.gte]': '2026-01-01', 'filter[deleted_at.lt]': '2026-01-01' }).filters).toEqual([
      { field: '_version', op: 'gt', value: 2 },
      { field: '_updated_at', op: 'gte', value: '2026-01-01T00:00:00.000Z' },
      { field: 'deleted_at', op: 'lt', value: '2026-01-01T00:00:00.000Z' },
    ]);
    const site = entity('site');
    expect(() => parseListQuery(site, allRelations, { 'filter[deleted_at]': '2026-01-01' })).toThrow('Unknown filter field: deleted_at');
  });

  it('the id (primary key) and foreign keys are filterable like any field', () => {
    expect(parse({ 'filter[id.in]': `${UUID_TEXT},${UUID}` }).filters).toEqual([{ field: 'id', op: 'in', values: [UUID, UUID] }]);
  });

  it('property: whatever the keys and values, either a ListQuery of metadata names or a 400', () => {
    const names = new Set(listColumns(inspection).map((c) => c.name));
    const key = fc.oneof(
      fc.string().map((s) => `filter[${s}]`),
      fc.tuple(fc.constantFrom(...names, 'x'), fc.constantFrom(...FILTER_OPERATORS, 'zz')).map(([f, op]) => `filter[${f}.${op}]`),
      fc.constantFrom('sort', 'include', 'page', 'per_page'),
    );
    const val = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.dictionary(key, val), (query) => {
        try {
          const q = parse(query);
          for (const f of q.filters) expect(names.has(f.field)).toBe(true);
          for (const s of q.sort) expect(names.has(s.field)).toBe(true);
          expect(q.perPage).toBeGreaterThanOrEqual(1);
          expect(q.perPage).toBeLessThanOrEqual(100);
          expect(q.page).toBeGreaterThanOrEqual(1);
        } catch (error) {
          expect(error).toBeInstanceOf(TakesError);
          expect(['UNKNOWN_FIELD', 'INVALID_PAYLOAD']).toContain((error as TakesError).code);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseListQuery: sort', () => {
  it('sort=-a,b → a descending, then b ascending', () => {
    expect(parse({ sort: '-score,site' }).sort).toEqual([
      { field: 'score', dir: 'desc' },
      { field: 'site', dir: 'asc' },
    ]);
  });

  it('several fields of several types, spaces trimmed, + means ascending, empty items skipped', () => {
    expect(parse({ sort: ' -inspected_at, +cost ,,due,-id,' }).sort).toEqual([
      { field: 'inspected_at', dir: 'desc' },
      { field: 'cost', dir: 'asc' },
      { field: 'due', dir: 'asc' },
      { field: 'id', dir: 'desc' },
    ]);
  });

  it('on the system columns _version, _updated_at and deleted_at', () => {
    expect(parse({ sort: '-_updated_at,_version,deleted_at' }).sort).toEqual([
      { field: '_updated_at', dir: 'desc' },
      { field: '_version', dir: 'asc' },
      { field: 'deleted_at', dir: 'asc' },
    ]);
  });

  it('a repeated sort parameter continues the list; a field named twice keeps its first direction', () => {
    expect(parse({ sort: ['-score', 'site,score'] }).sort).toEqual([
      { field: 'score', dir: 'desc' },
      { field: 'site', dir: 'asc' },
    ]);
  });

  it('no sort → none (the SQL adds the primary key)', () => {
    expect(parse({}).sort).toEqual([]);
    expect(parse({ sort: '' }).sort).toEqual([]);
  });

  it('unknown sort field: 400 UNKNOWN_FIELD with Rocket message', () => {
    const error = thrown({ sort: '-score,colour' });
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.message).toBe('Unknown sort field: colour');
    expect(error.details).toEqual([{ field: 'colour', rule: 'unknown', message: 'Unknown sort field: colour' }]);
    expect(thrown({ sort: '-' }).message).toBe('Unknown sort field: ');
    expect(thrown({ sort: 'score desc' }).code).toBe('UNKNOWN_FIELD');
    expect(thrown({ sort: 'score;drop table x' }).code).toBe('UNKNOWN_FIELD');
  });
});

describe('parseListQuery: paging', () => {
  it('defaults: page 1, per_page from the limits', () => {
    expect(parse({})).toMatchObject({ page: 1, perPage: 25 });
    expect(parseListQuery(inspection, [], {}, { defaultPerPage: 10, maxPerPage: 50 })).toMatchObject({ perPage: 10 });
    expect(parseListQuery(inspection, [], {})).toMatchObject({ page: 1, perPage: 25 });
  });

  it('reads positive integers', () => {
    expect(parse({ page: '3', per_page: '10' })).toMatchObject({ page: 3, perPage: 10 });
    expect(parse({ page: '+2', per_page: ' 007 ' })).toMatchObject({ page: 2, perPage: 7 });
    expect(parse({ per_page: '1' })).toMatchObject({ perPage: 1 });
    expect(parse({ per_page: '100' })).toMatchObject({ perPage: 100 });
  });

  it('per_page above the max is cut to the max (Rocket), not refused', () => {
    expect(parse({ per_page: '101' }).perPage).toBe(100);
    expect(parse({ per_page: '100000' }).perPage).toBe(100);
    expect(parseListQuery(inspection, [], { per_page: '60' }, { defaultPerPage: 10, maxPerPage: 50 }).perPage).toBe(50);
  });

  it('page or per_page below 1, not an integer, or absurdly large → the default (Rocket)', () => {
    for (const bad of ['0', '-1', 'abc', '', '1.5', '2abc', '1e3', '99999999999999999999']) {
      expect(parse({ page: bad, per_page: bad })).toMatchObject({ page: 1, perPage: 25 });
    }
  });

  it('a repeated parameter: the first value counts', () => {
    expect(parse({ page: ['4', '9'], per_page: ['5', '50'] })).toMatchObject({ page: 4, perPage: 5 });
  });

  it('a page so far out that its offset would not be exact is cut to the last exact one (empty anyway)', () => {
    const q = parse({ page: String(Number.MAX_SAFE_INTEGER), per_page: '100' });
    expect(q.page).toBe(Math.floor(Number.MAX_SAFE_INTEGER / 100));
    expect(Number.isSafeInteger((q.page - 1) * q.perPage)).toBe(true);
  });

  it('limits must make sense', () => {
    expect(() => parseListQuery(inspection, [], {}, { defaultPerPage: 200, maxPerPage: 100 })).toThrow(/defaultPerPage/);
    expect(() => parseListQuery(inspection, [], {}, { defaultPerPage: 1, maxPerPage: 0 })).toThrow(/maxPerPage/);
  });
});

describe('parseListQuery: include', () => {
  it('forward relations by name: one_to_many, one_to_one, many_to_many', () => {
    expect(parse({ include: 'findings,report,tags' }).include).toEqual([
      { name: 'findings', relation: relation('findings'), direction: 'forward' },
      { name: 'report', relation: relation('report'), direction: 'forward' },
      { name: 'tags', relation: relation('tags'), direction: 'forward' },
    ]);
  });

  it('a relation that ends at the entity is a reverse include, by its name or by the source entity name (Rocket)', () => {
    expect(parse({ include: 'inspections' }).include).toEqual([{ name: 'inspections', relation: relation('inspections'), direction: 'reverse' }]);
    expect(parse({ include: 'site' }).include).toEqual([{ name: 'site', relation: relation('inspections'), direction: 'reverse' }]);
  });

  it('by the target entity name (Rocket alias) and as <entity>_<name> (Rocket Go fallback)', () => {
    expect(parse({ include: 'finding' }).include).toEqual([{ name: 'finding', relation: relation('findings'), direction: 'forward' }]);
    expect(parse({ include: 'tag' }).include[0]).toMatchObject({ name: 'tag', relation: { name: 'tags' } });
    const site = entity('site');
    expect(parseListQuery(site, allRelations, { include: 'inspections' }).include).toEqual([
      { name: 'inspections', relation: relation('inspections'), direction: 'forward' },
    ]);
  });

  it('with only relationsFrom the entity, reverse includes are unknown', () => {
    const from = allRelations.filter((r) => r.source === 'inspection');
    expect(() => parseListQuery(inspection, from, { include: 'site' })).toThrow('Unknown include: site');
  });

  it('a relation of other entities is not an include here', () => {
    const report = entity('report');
    expect(() => parseListQuery(report, allRelations, { include: 'tags' })).toThrow('Unknown include: tags');
  });

  it('trimmed, empty items skipped, duplicates once, repeated parameter continues', () => {
    expect(parse({ include: [' tags , ,tags', 'report'] }).include.map((i) => i.name)).toEqual(['tags', 'report']);
    expect(parse({ include: '' }).include).toEqual([]);
  });

  it('unknown include: 400 UNKNOWN_FIELD with Rocket message', () => {
    const error = thrown({ include: 'tags,owner' });
    expect(error.code).toBe('UNKNOWN_FIELD');
    expect(error.message).toBe('Unknown include: owner');
    expect(error.details).toEqual([{ field: 'owner', rule: 'unknown', message: 'Unknown include: owner' }]);
  });

  it('a relation named like a field is still a relation (names come from metadata only)', () => {
    expect(() => parse({ include: 'site_id' })).toThrow(TakesError);
  });
});
