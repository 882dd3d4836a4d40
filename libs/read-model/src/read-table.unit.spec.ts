import { parseEntityDefinition, type EntityDefinition } from '@takes/metadata';
import { columnValues, readColumns } from './read-table';

function entity(input: object): EntityDefinition {
  const parsed = parseEntityDefinition(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}

const inspection = entity({
  name: 'inspection',
  soft_delete: true,
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site', type: 'string' },
    { name: 'notes', type: 'text' },
    { name: 'pressure', type: 'decimal', precision: 2 },
    { name: 'extra', type: 'json' },
    { name: 'readings', type: 'int' },
  ],
});

describe('read tables', () => {
  it('map field types to columns, index what filters and sorts use, add deleted_at for soft delete', () => {
    const columns = readColumns(inspection);
    expect(columns.map((c) => [c.name, c.type, c.primaryKey, c.indexed])).toEqual([
      ['id', 'uuid', true, false],
      ['site', 'text', false, true],
      ['notes', 'text', false, false],
      ['pressure', 'numeric(18,2)', false, true],
      ['extra', 'jsonb', false, false],
      ['readings', 'integer', false, true],
      ['deleted_at', 'timestamptz', false, true],
    ]);
  });

  it('turns a record state into column values; what does not fit becomes null', () => {
    expect(columnValues(inspection, { id: 'A1B2C3D4-0000-7000-8000-000000000001', site: 'n', pressure: 41.5, extra: { a: [1] }, readings: 'many' })).toEqual({
      id: 'a1b2c3d4-0000-7000-8000-000000000001',
      site: 'n',
      notes: null,
      pressure: 41.5,
      extra: { a: [1] },
      readings: null,
      deleted_at: null,
    });
  });

  it('keeps the column of a removed field', () => {
    const before = inspection;
    const parsed = parseEntityDefinition({ ...before, fields: before.fields.filter((f) => f.name !== 'notes'), removed_fields: [{ name: 'notes', type: 'text' }] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
    expect(readColumns(parsed.value).map((c) => c.name)).toContain('notes');
  });
});
