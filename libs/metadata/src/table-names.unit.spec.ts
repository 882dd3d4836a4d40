import { linkShapeChanges, tableConflict, tableOwners } from './table-names';

const items = [
  { key: 'entity:invoice', definition: { name: 'invoice', table: 'invoices' } },
  { key: 'entity:tag', definition: { name: 'tag', table: 'tags' } },
  { key: 'relation:tags', definition: { name: 'tags', type: 'many_to_many', join_table: 'invoice_tags' } },
  { key: 'relation:items', definition: { name: 'items', type: 'one_to_many', join_table: 'ignored' } },
];

describe('read-schema table names', () => {
  const owners = tableOwners(items);

  it('lists entity tables and many_to_many join tables only', () => {
    expect(owners).toEqual([
      { kind: 'entity', name: 'invoice', table: 'invoices' },
      { kind: 'entity', name: 'tag', table: 'tags' },
      { kind: 'relation', name: 'tags', table: 'invoice_tags' },
    ]);
  });

  it("refuses an entity table that is another entity's table or a join table, and a join table taken twice", () => {
    expect(tableConflict(owners, 'entity', 'receipt', 'invoice_tags')).toMatchObject({ field: 'table', rule: 'conflict' });
    expect(tableConflict(owners, 'entity', 'receipt', 'invoices')).toMatchObject({ field: 'table', rule: 'conflict' });
    expect(tableConflict(owners, 'relation', 'labels', 'invoice_tags')).toMatchObject({ field: 'join_table', rule: 'conflict' });
  });

  it("accepts a free name, and an item's own table", () => {
    expect(tableConflict(owners, 'entity', 'receipt', 'receipts')).toBeNull();
    expect(tableConflict(owners, 'entity', 'invoice', 'invoices')).toBeNull();
    expect(tableConflict(owners, 'relation', 'tags', 'invoice_tags')).toBeNull();
  });

  it('keeps the shape of a many_to_many relation; other relations may change', () => {
    const tags = { type: 'many_to_many', source: 'invoice', target: 'tag', source_key: 'id', target_key: 'id', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id', write_mode: 'diff' };
    expect(linkShapeChanges(tags, { ...tags, write_mode: 'replace' })).toEqual([]);
    expect(linkShapeChanges(tags, { ...tags, join_table: 'other' }).map((d) => d.field)).toEqual(['join_table']);
    expect(linkShapeChanges(tags, { ...tags, type: 'one_to_many' }).map((d) => d.field)).toEqual(['type']);
    expect(linkShapeChanges(undefined, tags)).toEqual([]);
    const items = { type: 'one_to_many', source: 'invoice', target: 'item', target_key: 'invoice_id' };
    expect(linkShapeChanges(items, { ...items, target_key: 'other_id' })).toEqual([]);
    expect(linkShapeChanges(items, tags).map((d) => d.field)).toEqual(['type', 'target', 'source_key', 'target_key', 'join_table', 'source_join_key', 'target_join_key']);
  });
});
