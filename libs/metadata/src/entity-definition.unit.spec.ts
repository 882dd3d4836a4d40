import fc from 'fast-check';
import type { ErrorDetail } from '@takes/contracts';
import { entityAdmissionProblems, parseEntityDefinition, type EntityDefinition } from './entity-definition';
import { FIELD_TYPES } from './field-values';

/** docs/metadata-schemas.md, "Entity Definition". */
const rocketInvoice = {
  name: 'invoice',
  table: 'invoices',
  primary_key: { field: 'id', type: 'uuid', generated: true },
  soft_delete: true,
  fields: [
    { name: 'id', type: 'uuid', required: true },
    { name: 'number', type: 'string', required: true, unique: true },
    { name: 'status', type: 'string', default: 'draft', enum: ['draft', 'sent', 'paid', 'void'] },
    { name: 'total', type: 'decimal', precision: 2 },
    { name: 'customer_id', type: 'uuid', required: true },
    { name: 'created_at', type: 'timestamp', auto: 'create' },
    { name: 'updated_at', type: 'timestamp', auto: 'update' },
    { name: 'deleted_at', type: 'timestamp', nullable: true },
  ],
};

function parsed(input: unknown): EntityDefinition {
  const result = parseEntityDefinition(input);
  if (!result.ok) throw new Error(`expected a valid definition: ${JSON.stringify(result.details)}`);
  return result.value;
}
function problems(input: unknown): ErrorDetail[] {
  const result = parseEntityDefinition(input);
  if (result.ok) throw new Error('expected the definition to be refused');
  return result.details;
}
function withFields(...fields: unknown[]) {
  return { name: 'thing', fields: [{ name: 'id', type: 'uuid' }, ...fields] };
}

describe('parseEntityDefinition', () => {
  it('reads Rocket’s documented invoice and adds Takes’ defaults', () => {
    const invoice = parsed(rocketInvoice);
    expect(invoice).toMatchObject({
      name: 'invoice',
      table: 'invoices',
      primary_key: { field: 'id', type: 'uuid', generated: true },
      soft_delete: true,
      history: true,
      merge_policy: 'field',
      stale_write: 'reject',
    });
    expect(invoice.fields.map((f) => f.name)).toEqual(rocketInvoice.fields.map((f) => f.name));
    expect(invoice.fields[2]).toEqual({ name: 'status', type: 'string', default: 'draft', enum: ['draft', 'sent', 'paid', 'void'] });
  });

  it('reads every entity of Rocket’s cookbook (docs/examples.md), file fields included', () => {
    const product = {
      name: 'product',
      table: 'products',
      primary_key: { field: 'id', type: 'uuid', generated: true },
      soft_delete: true,
      fields: [
        { name: 'id', type: 'uuid', required: true },
        { name: 'sku', type: 'string', required: true, unique: true },
        { name: 'price', type: 'decimal', precision: 2, required: true },
        { name: 'quantity', type: 'int', default: 0 },
        { name: 'weight_grams', type: 'bigint' },
        { name: 'is_active', type: 'boolean', default: true },
        { name: 'launch_date', type: 'date' },
        { name: 'image', type: 'file' },
        { name: 'specs', type: 'json' },
        { name: 'created_at', type: 'timestamp', auto: 'create' },
      ],
    };
    expect(parsed(product).fields).toHaveLength(10);
    const sequenceLog = {
      name: 'sequence_log',
      table: 'sequence_logs',
      primary_key: { field: 'id', type: 'bigint', generated: true },
      soft_delete: false,
      fields: [
        { name: 'id', type: 'bigint', required: true },
        { name: 'event', type: 'string', required: true },
      ],
    };
    expect(parsed(sequenceLog).primary_key).toEqual({ field: 'id', type: 'bigint', generated: true });
  });

  it('defaults: table = name, primary key {id, uuid, generated}, its field added first', () => {
    const minimal = parsed({ name: 'inspection', fields: [{ name: 'notes', type: 'text' }] });
    expect(minimal).toEqual({
      name: 'inspection',
      table: 'inspection',
      primary_key: { field: 'id', type: 'uuid', generated: true },
      soft_delete: false,
      fields: [
        { name: 'id', type: 'uuid', required: true },
        { name: 'notes', type: 'text' },
      ],
      history: true,
      merge_policy: 'field',
      stale_write: 'reject',
    });
    expect(parsed({ name: 'x', fields: [] }).fields).toEqual([{ name: 'id', type: 'uuid', required: true }]);
  });

  it('keeps Takes’ additions when given', () => {
    const def = parsed({ ...rocketInvoice, history: false, merge_policy: 'longest-chain', stale_write: 'overwrite' });
    expect(def).toMatchObject({ history: false, merge_policy: 'longest-chain', stale_write: 'overwrite' });
  });

  it('normalizes: drops unknown properties and false flags, keeps what Rocket prints', () => {
    const def = parsed({
      name: 'thing',
      extra: 1,
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'a', type: 'string', required: false, unique: false, nullable: null, enum: null, whatever: true },
        { name: 'b', type: 'decimal', precision: 0 },
      ],
    });
    expect(def).not.toHaveProperty('extra');
    expect(def.fields[1]).toEqual({ name: 'a', type: 'string' });
    expect(def.fields[2]).toEqual({ name: 'b', type: 'decimal' });
  });

  it('a definition sent now: unknown properties at any level are refused, each named', () => {
    const details = entityAdmissionProblems({
      name: 'thing',
      soft_delet: true,
      primary_key: { field: 'id', type: 'uuid', generated: true, auto: 1 },
      slug: { field: 'a', sorce: 'b' },
      fields: [{ name: 'id', type: 'uuid' }, { name: 'a', type: 'string', requird: true }],
      removed_fields: [{ name: 'old', type: 'string', when: 'x' }],
    });
    expect(details.map((d) => [d.field, d.rule])).toEqual([
      ['soft_delet', 'unknown'],
      ['primary_key.auto', 'unknown'],
      ['slug.sorce', 'unknown'],
      ['fields[1].requird', 'unknown'],
      ['removed_fields[0].when', 'unknown'],
    ]);
    expect(details[0].message).toBe('unknown property soft_delet');
  });

  it('a definition sent now: contradictory settings are refused; what Takes prints back is accepted as it is', () => {
    expect(entityAdmissionProblems({ ...rocketInvoice, history: false, merge_policy: 'longest-chain' })).toEqual([expect.objectContaining({ field: 'merge_policy', rule: 'contradiction' })]);
    expect(entityAdmissionProblems({ ...rocketInvoice, history: false, merge_policy: 'reject' })).toEqual([expect.objectContaining({ field: 'merge_policy', rule: 'contradiction' })]);
    expect(entityAdmissionProblems({ ...rocketInvoice, stale_write: 'overwrite' })).toEqual([expect.objectContaining({ field: 'stale_write', rule: 'contradiction' })]);
    expect(entityAdmissionProblems({ ...rocketInvoice, history: true, stale_write: 'overwrite' })).toHaveLength(1);
    expect(entityAdmissionProblems({ ...rocketInvoice, history: false, stale_write: 'overwrite' })).toEqual([]);
    for (const definition of [rocketInvoice, { ...rocketInvoice, history: false, stale_write: 'overwrite' }, { ...rocketInvoice, merge_policy: 'longest-chain' }]) {
      expect(entityAdmissionProblems(parsed(definition))).toEqual([]);
    }
  });

  it('reads defaults the way Rocket’s admin UI sends them, as text', () => {
    const def = parsed(
      withFields(
        { name: 'count', type: 'int', default: '0' },
        { name: 'big', type: 'bigint', default: '12' },
        { name: 'on', type: 'boolean', default: 'true' },
        { name: 'meta', type: 'json', default: '{"a":1}' },
        { name: 'word', type: 'json', default: 'plain' },
        { name: 'price', type: 'decimal', precision: 2, default: '1.5' },
        { name: 'day', type: 'date', default: '2026-01-01' },
      ),
    );
    expect(def.fields.slice(1).map((f) => f.default)).toEqual([0, 12, true, { a: 1 }, 'plain', '1.50', '2026-01-01']);
  });

  it('refuses what is not an object', () => {
    for (const bad of [null, [], 'invoice', 3]) expect(problems(bad)).toEqual([{ rule: 'type', message: expect.any(String) }]);
  });

  it('names: ^[a-z][a-z0-9_]*$, at most 63; entity and table names may start with "_" unless Takes reserves them', () => {
    expect(problems({ name: 'Invoice', fields: [] })).toEqual([{ field: 'name', rule: 'pattern', message: expect.any(String) }]);
    expect(problems({ name: '_meta', fields: [] })[0]).toMatchObject({ field: 'name', rule: 'reserved' });
    for (const word of ['_admin', '_sync', '_changes', '_conflicts', '_workflows', '_files', '_events', '_ui', '_link_tags']) {
      expect(problems({ name: word, fields: [] })[0]).toMatchObject({ field: 'name', rule: 'reserved' });
    }
    // Rocket's suites name every entity `_test_…`
    expect(parsed({ name: '_test_orders', fields: [] })).toMatchObject({ name: '_test_orders', table: '_test_orders' });
    expect(parsed({ name: 'orders', table: '_orders', fields: [] }).table).toBe('_orders');
    expect(problems({ name: 'orders', table: '_admin', fields: [] })[0]).toMatchObject({ field: 'table', rule: 'reserved' });
    expect(problems({ name: '__x', fields: [] })[0]).toMatchObject({ field: 'name', rule: 'pattern' });
    expect(problems({ name: 'a'.repeat(64), fields: [] })[0]).toMatchObject({ field: 'name', rule: 'max_length' });
    expect(parsed({ name: 'a'.repeat(63), fields: [] }).name).toHaveLength(63);
    expect(problems({ fields: [] })[0]).toMatchObject({ field: 'name', rule: 'required' });
    expect(problems({ name: 'ok', table: 'Bad-Table', fields: [] })[0]).toMatchObject({ field: 'table', rule: 'pattern' });
    expect(problems(withFields({ name: '_version', type: 'int' }))[0]).toMatchObject({ field: 'fields[1].name', rule: 'reserved' });
    expect(problems(withFields({ name: '_updated_at', type: 'timestamp' }))[0]).toMatchObject({ rule: 'reserved' });
    expect(problems(withFields({ name: '9lives', type: 'int' }))[0]).toMatchObject({ field: 'fields[1].name', rule: 'pattern' });
  });

  it('fields: required array, no duplicates, known types', () => {
    expect(problems({ name: 'x' })).toEqual([{ field: 'fields', rule: 'required', message: expect.any(String) }]);
    expect(problems({ name: 'x', fields: {} })[0]).toMatchObject({ field: 'fields', rule: 'type' });
    expect(problems(withFields({ name: 'a', type: 'string' }, { name: 'a', type: 'text' }))).toEqual([
      { field: 'fields[2].name', rule: 'duplicate', message: expect.stringContaining('fields[1]') },
    ]);
    expect(problems(withFields({ name: 'a', type: 'string' }, { name: 'b', type: 'varchar' }))).toEqual([
      { field: 'fields[2].type', rule: 'enum', message: expect.stringContaining(FIELD_TYPES.join(', ')) },
    ]);
    expect(problems(withFields({ name: 'a' }))[0]).toMatchObject({ field: 'fields[1].type', rule: 'required' });
    expect(problems(withFields('a'))[0]).toMatchObject({ field: 'fields[1]', rule: 'type' });
    expect(problems(withFields({ name: 'a', type: 'string', required: 'yes' }))[0]).toMatchObject({
      field: 'fields[1].required',
      rule: 'type',
    });
  });

  it('enum: only on string and text, a non-empty list of distinct strings', () => {
    expect(parsed(withFields({ name: 'a', type: 'text', enum: ['x'] })).fields[1].enum).toEqual(['x']);
    expect(problems(withFields({ name: 'a', type: 'int', enum: ['1'] }))[0]).toMatchObject({ field: 'fields[1].enum', rule: 'enum' });
    expect(problems(withFields({ name: 'a', type: 'string', enum: [] }))[0]).toMatchObject({ field: 'fields[1].enum', rule: 'enum' });
    expect(problems(withFields({ name: 'a', type: 'string', enum: ['x', 2] }))[0]).toMatchObject({ rule: 'enum' });
    expect(problems(withFields({ name: 'a', type: 'string', enum: 'x' }))[0]).toMatchObject({ rule: 'enum' });
    expect(problems(withFields({ name: 'a', type: 'string', enum: ['x', 'x'] }))[0]).toMatchObject({ rule: 'enum' });
  });

  it('default: must fit the type and the enum; none on auto fields', () => {
    expect(problems(withFields({ name: 'a', type: 'int', default: 'many' }))[0]).toMatchObject({
      field: 'fields[1].default',
      rule: 'default',
    });
    expect(problems(withFields({ name: 'a', type: 'int', default: 1.5 }))[0]).toMatchObject({ rule: 'default' });
    expect(problems(withFields({ name: 'a', type: 'string', enum: ['x'], default: 'y' }))[0]).toMatchObject({
      field: 'fields[1].default',
      rule: 'default',
    });
    expect(problems(withFields({ name: 'a', type: 'timestamp', auto: 'create', default: '2026-01-01T00:00:00Z' }))[0]).toMatchObject({
      rule: 'default',
    });
    expect(parsed(withFields({ name: 'a', type: 'timestamp', default: '2026-01-01T02:00:00+02:00' })).fields[1].default).toBe(
      '2026-01-01T00:00:00.000Z',
    );
    expect(parsed(withFields({ name: 'a', type: 'int', default: null })).fields[1]).not.toHaveProperty('default');
  });

  it('precision: only for decimal, 0 to 18 decimal places', () => {
    expect(parsed(withFields({ name: 'a', type: 'decimal', precision: 4 })).fields[1].precision).toBe(4);
    expect(problems(withFields({ name: 'a', type: 'int', precision: 2 }))[0]).toMatchObject({
      field: 'fields[1].precision',
      rule: 'precision',
    });
    for (const bad of [-1, 19, 2.5, '2']) {
      expect(problems(withFields({ name: 'a', type: 'decimal', precision: bad }))[0]).toMatchObject({ rule: 'precision' });
    }
  });

  it('auto: "create" or "update", on timestamp and date fields', () => {
    expect(parsed(withFields({ name: 'a', type: 'date', auto: 'update' })).fields[1].auto).toBe('update');
    expect(problems(withFields({ name: 'a', type: 'timestamp', auto: 'always' }))[0]).toMatchObject({
      field: 'fields[1].auto',
      rule: 'enum',
    });
    expect(problems(withFields({ name: 'a', type: 'string', auto: 'create' }))[0]).toMatchObject({
      field: 'fields[1].auto',
      rule: 'auto',
    });
  });

  it('primary key: Rocket’s types, its field’s type must match, no composite keys', () => {
    const intKey = parsed({ name: 'x', primary_key: { field: 'code', type: 'int' }, fields: [{ name: 'code', type: 'int' }] });
    expect(intKey.primary_key).toEqual({ field: 'code', type: 'int', generated: false });
    const inferred = parsed({ name: 'x', primary_key: { field: 'code' }, fields: [{ name: 'code', type: 'string' }] });
    expect(inferred.primary_key.type).toBe('string');
    const added = parsed({ name: 'x', primary_key: { field: 'code', type: 'string', generated: false }, fields: [] });
    expect(added.fields).toEqual([{ name: 'code', type: 'string', required: true }]);
    expect(problems({ name: 'x', primary_key: { field: 'id', type: 'uuid' }, fields: [{ name: 'id', type: 'int' }] })).toEqual([
      { field: 'fields[0].type', rule: 'primary_key', message: expect.any(String) },
    ]);
    expect(problems({ name: 'x', primary_key: { field: 'id', type: 'date' }, fields: [] })[0]).toMatchObject({
      field: 'primary_key.type',
      rule: 'enum',
    });
    expect(problems({ name: 'x', primary_key: { fields: ['a', 'b'], generated: false }, fields: [] })[0]).toMatchObject({
      field: 'primary_key.fields',
      rule: 'unsupported',
    });
    expect(problems({ name: 'x', primary_key: 'id', fields: [] })[0]).toMatchObject({ field: 'primary_key', rule: 'type' });
    expect(problems({ name: 'x', fields: [{ name: 'id', type: 'uuid', nullable: true, default: '0192f4e2-7b1c-7def-8abc-0123456789ab' }] })).toEqual([
      { field: 'fields[0].nullable', rule: 'primary_key', message: expect.any(String) },
      { field: 'fields[0].default', rule: 'primary_key', message: expect.any(String) },
    ]);
  });

  it('deleted_at belongs to soft delete: a declared one must be a timestamp', () => {
    expect(parsed({ ...rocketInvoice }).fields.some((f) => f.name === 'deleted_at')).toBe(true);
    expect(problems({ name: 'x', soft_delete: true, fields: [{ name: 'deleted_at', type: 'boolean' }] })[0]).toMatchObject({
      field: 'fields[0].type',
      rule: 'reserved',
    });
    expect(parsed({ name: 'x', soft_delete: false, fields: [{ name: 'deleted_at', type: 'boolean' }] }).fields).toHaveLength(2);
  });

  it('slug: Rocket’s rules (field exists, string or text, unique; source exists)', () => {
    const base = { name: 'post', fields: [{ name: 'title', type: 'string' }, { name: 'slug', type: 'string', unique: true }] };
    expect(parsed({ ...base, slug: { field: 'slug', source: 'title' } }).slug).toEqual({ field: 'slug', source: 'title' });
    expect(problems({ ...base, slug: { field: 'nope' } })[0]).toMatchObject({ field: 'slug.field', rule: 'unknown' });
    expect(problems({ ...base, slug: { field: 'title' } })[0]).toMatchObject({ field: 'slug.field', rule: 'unique' });
    expect(problems({ ...base, slug: { field: 'slug', source: 'body' } })[0]).toMatchObject({ field: 'slug.source', rule: 'unknown' });
    expect(
      problems({ name: 'post', fields: [{ name: 'slug', type: 'int', unique: true }], slug: { field: 'slug' } })[0],
    ).toMatchObject({ field: 'slug.field', rule: 'type' });
  });

  it('Takes’ additions are checked', () => {
    expect(problems({ name: 'x', fields: [], history: 'no' })[0]).toMatchObject({ field: 'history', rule: 'type' });
    expect(problems({ name: 'x', fields: [], merge_policy: 'last-write' })[0]).toMatchObject({ field: 'merge_policy', rule: 'enum' });
    expect(problems({ name: 'x', fields: [], stale_write: 'merge' })[0]).toMatchObject({ field: 'stale_write', rule: 'enum' });
  });

  it('collects every problem, not only the first', () => {
    const details = problems({
      name: 'Bad',
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'a', type: 'nope' },
        { name: 'b', type: 'int', enum: ['1'] },
        { name: 'a', type: 'string' },
      ],
      merge_policy: 'x',
    });
    expect(details.map((d) => `${d.field}:${d.rule}`)).toEqual([
      'name:pattern',
      'fields[1].type:enum',
      'fields[2].enum:enum',
      'merge_policy:enum',
    ]);
  });

  it('keeps removed_fields (Takes), without the ones that are fields again', () => {
    const def = parsed({
      name: 'x',
      fields: [{ name: 'a', type: 'string' }],
      removed_fields: [
        { name: 'old', type: 'int' },
        { name: 'a', type: 'string' },
      ],
    });
    expect(def.removed_fields).toEqual([{ name: 'old', type: 'int' }]);
    expect(problems({ name: 'x', fields: [], removed_fields: [{ name: 'old' }] })[0]).toMatchObject({
      field: 'removed_fields[0]',
      rule: 'type',
    });
  });

  it('property: a parsed definition parses to itself (normalizing is idempotent)', () => {
    const fieldArb = fc.record(
      {
        name: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
        type: fc.constantFrom(...FIELD_TYPES),
        required: fc.boolean(),
        unique: fc.boolean(),
        nullable: fc.boolean(),
      },
      { requiredKeys: ['name', 'type'] },
    );
    const definitionArb = fc.record(
      {
        name: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
        fields: fc.uniqueArray(fieldArb, { selector: (f) => f.name, maxLength: 8 }).map((fields) =>
          fields.filter((f) => f.name !== 'id'),
        ),
        soft_delete: fc.boolean(),
        history: fc.boolean(),
        merge_policy: fc.constantFrom('field', 'longest-chain', 'reject'),
      },
      { requiredKeys: ['name', 'fields'] },
    );
    fc.assert(
      fc.property(definitionArb, (input) => {
        const result = parseEntityDefinition(input);
        if (!result.ok) {
          // only deleted_at of a soft-delete entity may be refused here
          expect(result.details.every((d) => d.rule === 'reserved')).toBe(true);
          return;
        }
        expect(parseEntityDefinition(JSON.parse(JSON.stringify(result.value)))).toEqual(result);
      }),
    );
  });
});
