import { applyMetaChange, emptyMetadata, relationsFrom, type AppMetadata, type MetaChange } from './app-metadata';
import { metaKey } from './meta-kinds';

const customer = { name: 'customer', fields: [{ name: 'name', type: 'string' }] };
const invoice = { name: 'invoice', fields: [{ name: 'customer_id', type: 'uuid' }] };
const invoices = { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', target_key: 'customer_id' };

function fold(changes: MetaChange[], from: AppMetadata = emptyMetadata()): AppMetadata {
  return changes.reduce(applyMetaChange, from);
}

describe('app metadata from _meta changes', () => {
  it('starts empty', () => {
    const meta = emptyMetadata();
    expect(meta.entities.size).toBe(0);
    expect(meta.relations.size).toBe(0);
    expect(meta.position).toBe(0);
  });

  it('keys are <kind>:<name>', () => {
    expect(metaKey('entity', 'inspection')).toBe('entity:inspection');
    expect(metaKey('relation', 'items')).toBe('relation:items');
  });

  it('defines entities and relations, normalized', () => {
    const meta = fold([
      { key: 'entity:customer', definition: customer, position: 3 },
      { key: 'entity:invoice', definition: invoice, position: 5 },
      { key: 'relation:invoices', definition: invoices, position: 9 },
    ]);
    expect(meta.position).toBe(9);
    expect(meta.entities.get('customer')).toMatchObject({ table: 'customer', history: true, primary_key: { field: 'id' } });
    expect(meta.relations.get('invoices')).toMatchObject({ source_key: 'id', on_delete: 'restrict' });
    expect(relationsFrom(meta, 'customer').map((r) => r.name)).toEqual(['invoices']);
    expect(relationsFrom(meta, 'invoice')).toEqual([]);
  });

  it('is an immutable update', () => {
    const before = fold([{ key: 'entity:customer', definition: customer, position: 1 }]);
    const after = applyMetaChange(before, { key: 'entity:invoice', definition: invoice, position: 2 });
    expect(before.entities.has('invoice')).toBe(false);
    expect(before.position).toBe(1);
    expect(after.entities.has('invoice')).toBe(true);
    expect(after.entities).not.toBe(before.entities);
  });

  it('a redefinition replaces; a removal deletes the entity and its relations (as Rocket does)', () => {
    const meta = fold([
      { key: 'entity:customer', definition: customer, position: 1 },
      { key: 'entity:invoice', definition: invoice, position: 2 },
      { key: 'relation:invoices', definition: invoices, position: 3 },
      { key: 'entity:customer', definition: { ...customer, history: false }, position: 4 },
    ]);
    expect(meta.entities.get('customer')?.history).toBe(false);
    expect(meta.relations.has('invoices')).toBe(true);
    const removed = applyMetaChange(meta, { key: 'entity:invoice', definition: null, position: 5 });
    expect(removed.entities.has('invoice')).toBe(false);
    expect(removed.relations.has('invoices')).toBe(false);
    const relationRemoved = applyMetaChange(meta, { key: 'relation:invoices', definition: null, position: 5 });
    expect(relationRemoved.relations.size).toBe(0);
    expect(relationRemoved.entities.size).toBe(2);
  });

  it('ignores unknown kinds and keys, but moves the position on', () => {
    const meta = fold([
      { key: 'entity:customer', definition: customer, position: 1 },
      { key: 'ui_config:0192f4e2', definition: { entity: 'customer' }, position: 2 },
      { key: 'no-colon', definition: {}, position: 3 },
    ]);
    expect(meta.position).toBe(3);
    expect([...meta.entities.keys()]).toEqual(['customer']);
    expect(meta.rejected.size).toBe(0);
  });

  it('skips a change older than what it has (redeliveries are harmless)', () => {
    const meta = fold([
      { key: 'entity:customer', definition: customer, position: 7 },
      { key: 'entity:customer', definition: null, position: 6 },
    ]);
    expect(meta.entities.has('customer')).toBe(true);
    expect(meta.position).toBe(7);
    expect(applyMetaChange(meta, { key: 'entity:customer', definition: customer, position: 7 }).entities.has('customer')).toBe(true);
  });

  it('a definition it cannot read is recorded and the last good one stays', () => {
    const meta = fold([
      { key: 'entity:customer', definition: customer, position: 1 },
      { key: 'entity:customer', definition: { name: 'customer', fields: [{ name: 'x', type: 'money' }] }, position: 2 },
      { key: 'entity:other', definition: customer, position: 3 },
      { key: 'relation:broken', definition: { ...invoices, name: 'broken', target: 'nope' }, position: 4 },
    ]);
    expect(meta.entities.get('customer')?.fields.map((f) => f.name)).toEqual(['id', 'name']);
    expect(meta.entities.has('other')).toBe(false);
    expect([...meta.rejected.keys()]).toEqual(['entity:customer', 'entity:other', 'relation:broken']);
    expect(meta.rejected.get('entity:other')?.[0]).toMatchObject({ rule: 'mismatch' });
    const fixed = applyMetaChange(meta, { key: 'entity:customer', definition: customer, position: 5 });
    expect(fixed.rejected.has('entity:customer')).toBe(false);
  });
});
