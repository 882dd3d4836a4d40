import type { ErrorDetail } from '@takes/contracts';
import { parseEntityDefinition, type EntityDefinition } from './entity-definition';
import { parseRelationDefinition, type RelationDefinition } from './relation-definition';

function entity(input: unknown): EntityDefinition {
  const result = parseEntityDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.value;
}

/** The entities of Rocket's cookbook (docs/examples.md), trimmed to what relations use. */
const entities = new Map<string, EntityDefinition>(
  [
    entity({ name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] }),
    entity({
      name: 'invoice',
      table: 'invoices',
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'customer_id', type: 'uuid', required: true },
        { name: 'notes', type: 'text' },
      ],
    }),
    entity({ name: 'invoice_item', table: 'invoice_items', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid' }] }),
    entity({ name: 'product', table: 'products', fields: [{ name: 'id', type: 'uuid' }] }),
    entity({ name: 'tag', table: 'tags', fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string' }] }),
  ].map((e) => [e.name, e]),
);

function parsed(input: unknown): RelationDefinition {
  const result = parseRelationDefinition(input, entities);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.value;
}
function problems(input: unknown): ErrorDetail[] {
  const result = parseRelationDefinition(input, entities);
  if (result.ok) throw new Error('expected the relation to be refused');
  return result.details;
}

const invoices = {
  name: 'invoices',
  type: 'one_to_many',
  source: 'customer',
  target: 'invoice',
  source_key: 'id',
  target_key: 'customer_id',
  ownership: 'source',
  on_delete: 'cascade',
  fetch: 'lazy',
  write_mode: 'diff',
};
const tags = {
  name: 'tags',
  type: 'many_to_many',
  source: 'product',
  target: 'tag',
  source_key: 'id',
  target_key: 'id',
  join_table: 'product_tags',
  source_join_key: 'product_id',
  target_join_key: 'tag_id',
  ownership: 'none',
  on_delete: 'detach',
  fetch: 'lazy',
  write_mode: 'replace',
};

describe('parseRelationDefinition', () => {
  it('reads Rocket’s cookbook relations as they are', () => {
    expect(parsed(invoices)).toEqual(invoices);
    expect(parsed(tags)).toEqual(tags);
    const items = { ...invoices, name: 'items', source: 'invoice', target: 'invoice_item', target_key: 'invoice_id' };
    expect(parsed(items)).toEqual(items);
  });

  it('defaults: source_key = source primary key, ownership, on_delete, fetch lazy, write_mode diff', () => {
    expect(parsed({ name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', target_key: 'customer_id' })).toEqual({
      name: 'invoices',
      type: 'one_to_many',
      source: 'customer',
      target: 'invoice',
      source_key: 'id',
      target_key: 'customer_id',
      ownership: 'source',
      on_delete: 'restrict',
      fetch: 'lazy',
      write_mode: 'diff',
    });
    const m2m = parsed({ name: 'tags', type: 'many_to_many', source: 'product', target: 'tag', join_table: 'product_tags', source_join_key: 'product_id', target_join_key: 'tag_id' });
    expect(m2m).toMatchObject({ source_key: 'id', target_key: 'id', ownership: 'none', on_delete: 'detach' });
  });

  it('source and target must exist', () => {
    expect(problems({ ...invoices, source: 'client' })).toEqual([
      { field: 'source', rule: 'unknown', message: 'source entity not found: client' },
    ]);
    expect(problems({ ...invoices, target: undefined })).toEqual([{ field: 'target', rule: 'required', message: expect.any(String) }]);
  });

  it('each key must be a field of the right entity', () => {
    expect(problems({ ...invoices, source_key: 'customer_id' })).toEqual([
      { field: 'source_key', rule: 'unknown', message: expect.stringContaining('customer') },
    ]);
    expect(problems({ ...invoices, target_key: 'client_id' })).toEqual([
      { field: 'target_key', rule: 'unknown', message: expect.stringContaining('invoice') },
    ]);
    expect(problems({ ...invoices, target_key: '' })).toEqual([{ field: 'target_key', rule: 'required', message: expect.any(String) }]);
    expect(problems({ ...tags, target_key: 'name' })[0]).toMatchObject({ field: 'target_key', rule: 'unknown' });
  });

  it('many_to_many needs its join table and both join keys', () => {
    const { join_table: _t, source_join_key: _s, target_join_key: _k, ...bare } = tags;
    expect(problems(bare).map((d) => `${d.field}:${d.rule}`)).toEqual([
      'join_table:required',
      'source_join_key:required',
      'target_join_key:required',
    ]);
    expect(problems({ ...tags, target_join_key: 'product_id' })[0]).toMatchObject({ field: 'target_join_key', rule: 'duplicate' });
    expect(problems({ ...tags, join_table: 'tags' })[0]).toMatchObject({ field: 'join_table', rule: 'conflict' });
    expect(problems({ ...tags, join_table: 'Product Tags' })[0]).toMatchObject({ field: 'join_table', rule: 'pattern' });
  });

  it('drops join properties of a relation that is not many_to_many', () => {
    expect(parsed({ ...invoices, join_table: 'x', source_join_key: 'a', target_join_key: '' })).toEqual(invoices);
  });

  it('type, ownership, on_delete, fetch and write_mode take Rocket’s values', () => {
    expect(problems({ ...invoices, type: 'belongs_to' })[0]).toMatchObject({ field: 'type', rule: 'enum' });
    expect(problems({ ...invoices, ownership: 'both' })[0]).toMatchObject({ field: 'ownership', rule: 'enum' });
    expect(problems({ ...invoices, on_delete: 'nullify' })[0]).toMatchObject({ field: 'on_delete', rule: 'enum' });
    expect(problems({ ...invoices, fetch: 'always' })[0]).toMatchObject({ field: 'fetch', rule: 'enum' });
    expect(problems({ ...invoices, write_mode: 'merge' })[0]).toMatchObject({ field: 'write_mode', rule: 'enum' });
  });

  it('on_delete fits the type: detach only many_to_many, set_null never, and only on a foreign key that takes null', () => {
    expect(problems({ ...invoices, on_delete: 'detach' })[0]).toMatchObject({ field: 'on_delete', rule: 'enum' });
    expect(problems({ ...tags, on_delete: 'set_null' })[0]).toMatchObject({ field: 'on_delete', rule: 'enum' });
    expect(problems({ ...invoices, on_delete: 'set_null' })[0]).toMatchObject({ field: 'on_delete', rule: 'set_null' });
    const items = { ...invoices, name: 'items', source: 'invoice', target: 'invoice_item', target_key: 'invoice_id', on_delete: 'set_null' };
    expect(parsed(items).on_delete).toBe('set_null');
    expect(parsed({ ...tags, on_delete: 'cascade' }).on_delete).toBe('cascade');
  });

  it('a relation name cannot be a field of its source (nested writes use it as a body key)', () => {
    expect(problems({ ...invoices, name: 'name' })[0]).toMatchObject({ field: 'name', rule: 'conflict' });
    expect(problems({ ...invoices, name: '_write_mode' })[0]).toMatchObject({ field: 'name', rule: 'reserved' });
    expect(problems({ ...invoices, name: '_link_items' })[0]).toMatchObject({ field: 'name', rule: 'reserved' });
    expect(parseRelationDefinition({ ...invoices, name: '_items' }, entities).ok).toBe(true);
  });

  it('refuses what is not an object and collects every problem', () => {
    expect(problems('invoices')).toEqual([{ rule: 'type', message: expect.any(String) }]);
    expect(problems({ name: 'X', type: 'many', source: 'nope', target: 'invoice', target_key: 'zzz' }).map((d) => d.field)).toEqual([
      'name',
      'type',
      'source',
      'target_key',
    ]);
  });
});
