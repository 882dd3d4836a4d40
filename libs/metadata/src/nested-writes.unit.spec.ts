import { MAX_CHILDREN, TakesError, type ChildCommand, type ErrorDetail } from '@takes/contracts';
import { applyMetaChange, emptyMetadata, type AppMetadata } from './app-metadata';
import { metaKey, type MetaKind } from './meta-kinds';
import type { EntityDefinition } from './entity-definition';
import { linkEntityName, linkId, linkState } from './link-entity';
import {
  MAX_NESTED_DEPTH,
  planNestedWrites,
  splitNestedBody,
  type NestedLookups,
  type RecordStanding,
} from './nested-writes';
import type { RelationDefinition } from './relation-definition';

const NOW = new Date('2026-03-01T12:00:00.000Z');

/** Folds definitions into an app's metadata, as its `_meta` stream would. */
function define(definitions: [MetaKind, object][], from: AppMetadata = emptyMetadata()): AppMetadata {
  return definitions.reduce(
    (meta, [kind, definition], i) =>
      applyMetaChange(meta, {
        key: metaKey(kind, (definition as { name: string }).name),
        definition,
        position: from.position + i + 1,
      }),
    from,
  );
}

const meta = define([
  [
    'entity',
    {
      name: 'invoice',
      primary_key: { field: 'id', type: 'uuid', generated: true },
      fields: [{ name: 'id', type: 'uuid', required: true }],
    },
  ],
  [
    'entity',
    {
      name: 'item',
      primary_key: { field: 'id', type: 'uuid', generated: true },
      fields: [
        { name: 'id', type: 'uuid', required: true },
        { name: 'invoice_id', type: 'uuid', required: true },
        { name: 'description', type: 'string' },
        { name: 'quantity', type: 'int' },
      ],
    },
  ],
  [
    'entity',
    {
      name: 'tax_line',
      primary_key: { field: 'id', type: 'int', generated: true },
      fields: [
        { name: 'id', type: 'int', required: true },
        { name: 'item_id', type: 'uuid' },
        { name: 'tax_type', type: 'string', required: true },
        { name: 'rate', type: 'decimal', precision: 2 },
      ],
    },
  ],
  ['entity', { name: 'tag', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'label', type: 'string' }] }],
  ['entity', { name: 'receipt', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'invoice_id', type: 'uuid' }] }],
  ['relation', { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', target_key: 'invoice_id' }],
  ['relation', { name: 'tax_lines', type: 'one_to_many', source: 'item', target: 'tax_line', target_key: 'item_id' }],
  [
    'relation',
    {
      name: 'tags',
      type: 'many_to_many',
      source: 'invoice',
      target: 'tag',
      join_table: 'invoice_tags',
      source_join_key: 'invoice_id',
      target_join_key: 'tag_id',
    },
  ],
  ['relation', { name: 'receipt', type: 'one_to_one', source: 'invoice', target: 'receipt', target_key: 'invoice_id' }],
]);

function entityOf(m: AppMetadata, name: string): EntityDefinition {
  const entity = m.entities.get(name);
  if (!entity) throw new Error(`fixture: no entity ${name}`);
  return entity;
}

function relationOf(m: AppMetadata, name: string): RelationDefinition {
  const relation = m.relations.get(name);
  if (!relation) throw new Error(`fixture: no relation ${name}`);
  return relation;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Stored = { state: Record<string, unknown>; standing: RecordStanding };

type LookupCall =
  | { fn: 'records'; entity: string; ids: string[] }
  | { fn: 'related'; relation: string; parentKey: unknown }
  | { fn: 'record'; entity: string; id: string }
  | { fn: 'newKey'; entity: string };

/**
 * The read tables in memory: records per entity (live or deleted), children found by
 * their foreign key, links by the link records of `_link_<relation>`. Like the read
 * tables, a uuid key is found whatever its case and answered in its stored spelling.
 * Every call is recorded.
 */
class MemoryLookups implements NestedLookups {
  readonly calls: LookupCall[] = [];
  private readonly tables = new Map<string, Map<string, Stored>>();
  private issued = 0;

  constructor(private readonly m: AppMetadata) {}

  save(entity: string, id: string, state: Record<string, unknown>, standing: RecordStanding = 'live'): this {
    const table = this.tables.get(entity) ?? new Map<string, Stored>();
    table.set(id, { state: { ...state }, standing });
    this.tables.set(entity, table);
    return this;
  }

  link(relation: string, sourceKey: string, targetKey: string, standing: RecordStanding = 'live'): this {
    const r = relationOf(this.m, relation);
    return this.save(linkEntityName(relation), linkId(sourceKey, targetKey), linkState(r, sourceKey, targetKey), standing);
  }

  private find(entity: string, id: string): [string, Stored] | undefined {
    const table = this.tables.get(entity);
    if (!table) return undefined;
    const exact = table.get(id);
    if (exact) return [id, exact];
    if (!UUID.test(id)) return undefined;
    return [...table.entries()].find(([key]) => key.toLowerCase() === id.toLowerCase());
  }

  private live(entity: string): [string, Record<string, unknown>][] {
    return [...(this.tables.get(entity) ?? new Map<string, Stored>()).entries()]
      .filter(([, r]) => r.standing === 'live')
      .map(([id, r]) => [id, r.state]);
  }

  async records(entity: EntityDefinition, ids: string[]): Promise<Map<string, RecordStanding>> {
    this.calls.push({ fn: 'records', entity: entity.name, ids: [...ids] });
    const out = new Map<string, RecordStanding>();
    for (const id of ids) {
      const found = this.find(entity.name, id);
      if (found) out.set(found[0], found[1].standing);
    }
    return out;
  }

  async related(relation: RelationDefinition, parentKey: unknown): Promise<string[]> {
    this.calls.push({ fn: 'related', relation: relation.name, parentKey });
    if (relation.type === 'many_to_many') {
      return this.live(linkEntityName(relation.name))
        .filter(([, state]) => String(state[relation.source_join_key!]) === String(parentKey))
        .map(([, state]) => String(state[relation.target_join_key!]));
    }
    return this.live(relation.target)
      .filter(([, state]) => String(state[relation.target_key]) === String(parentKey))
      .map(([id]) => id);
  }

  async record(entity: EntityDefinition, id: string): Promise<Record<string, unknown> | null> {
    this.calls.push({ fn: 'record', entity: entity.name, id });
    const found = this.find(entity.name, id);
    return found && found[1].standing === 'live' ? { ...found[1].state } : null;
  }

  async newKey(entity: EntityDefinition): Promise<string | number> {
    this.calls.push({ fn: 'newKey', entity: entity.name });
    this.issued += 1;
    switch (entity.primary_key.type) {
      case 'int':
      case 'bigint':
        return 900 + this.issued;
      case 'uuid':
        return `f0000000-0000-4000-8000-${String(this.issued).padStart(12, '0')}`;
      default:
        return `key-${this.issued}`;
    }
  }

  fns(fn: LookupCall['fn']): LookupCall[] {
    return this.calls.filter((c) => c.fn === fn);
  }
}

/** The uuid the store's newKey hands out n-th. */
function issuedUuid(n: number): string {
  return `f0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const INVOICE = 'a0000000-0000-4000-8000-000000000001';
const OTHER_INVOICE = 'a0000000-0000-4000-8000-000000000002';
const NEW_INVOICE = 'a0000000-0000-4000-8000-000000000003';
const ITEM_1 = 'b0000000-0000-4000-8000-000000000001';
const ITEM_2 = 'b0000000-0000-4000-8000-000000000002';
const ITEM_DELETED = 'b0000000-0000-4000-8000-000000000003';
const ITEM_OTHER = 'b0000000-0000-4000-8000-000000000004';
const CLIENT_ITEM = 'c0000000-0000-4000-8000-000000000001';
const UNKNOWN_ITEM = 'c0000000-0000-4000-8000-00000000dead';
const TAG_A = 'd0000000-0000-4000-8000-00000000000a';
const TAG_B = 'd0000000-0000-4000-8000-00000000000b';
const TAG_C = 'd0000000-0000-4000-8000-00000000000c';
const TAG_D = 'd0000000-0000-4000-8000-00000000000d';
const TAG_GONE = 'd0000000-0000-4000-8000-0000000000ff';
const TAG_NEVER = 'd0000000-0000-4000-8000-000000000404';
const RECEIPT_1 = 'e0000000-0000-4000-8000-000000000001';

/** An existing invoice with two live items, a deleted one, one tax line, tags and a receipt; and another invoice's item. */
function store(m: AppMetadata = meta): MemoryLookups {
  return new MemoryLookups(m)
    .save('invoice', INVOICE, { id: INVOICE })
    .save('invoice', OTHER_INVOICE, { id: OTHER_INVOICE })
    .save('item', ITEM_1, { id: ITEM_1, invoice_id: INVOICE, description: 'one', quantity: 1 })
    .save('item', ITEM_2, { id: ITEM_2, invoice_id: INVOICE, description: 'two', quantity: 2 })
    .save('item', ITEM_DELETED, { id: ITEM_DELETED, invoice_id: INVOICE, description: 'gone' }, 'deleted')
    .save('item', ITEM_OTHER, { id: ITEM_OTHER, invoice_id: OTHER_INVOICE, description: 'theirs' })
    .save('tax_line', '3', { id: 3, item_id: ITEM_1, tax_type: 'vat', rate: '0.20' })
    .save('tax_line', '4', { id: 4, item_id: ITEM_1, tax_type: 'eco', rate: '0.01' })
    .save('tag', TAG_A, { id: TAG_A, label: 'a' })
    .save('tag', TAG_B, { id: TAG_B, label: 'b' })
    .save('tag', TAG_C, { id: TAG_C, label: 'c' })
    .save('tag', TAG_D, { id: TAG_D, label: 'd' })
    .save('tag', TAG_GONE, { id: TAG_GONE, label: 'gone' }, 'deleted')
    .link('tags', INVOICE, TAG_A)
    .link('tags', INVOICE, TAG_B, 'deleted')
    .link('tags', INVOICE, TAG_D)
    .save('receipt', RECEIPT_1, { id: RECEIPT_1, invoice_id: INVOICE });
}

type Parent = Parameters<typeof planNestedWrites>[1];

function newParent(entity: string, values: Record<string, unknown>, m: AppMetadata = meta): Parent {
  const e = entityOf(m, entity);
  return { entity: e, id: String(values[e.primary_key.field]), values, isNew: true };
}

function existingParent(entity: string, id: string, values: Record<string, unknown> = {}, m: AppMetadata = meta): Parent {
  return { entity: entityOf(m, entity), id, values, isNew: false };
}

/** Plans a body's nested writes as the gateway does: split the body, plan its relation keys. */
function plan(parent: Parent, body: Record<string, unknown>, lookups: NestedLookups, m: AppMetadata = meta): Promise<ChildCommand[]> {
  const { nested } = splitNestedBody(m, parent.entity.name, body);
  return planNestedWrites(m, parent, nested, lookups, NOW);
}

/** The details of the 422 a plan must be refused with. */
async function refusal(planned: Promise<unknown>): Promise<ErrorDetail[]> {
  const error = await planned.then(
    (children) => {
      throw new Error(`expected a refusal, got a plan: ${JSON.stringify(children)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TakesError);
  expect((error as TakesError).code).toBe('VALIDATION_FAILED');
  const details = (error as TakesError).details;
  expect(Array.isArray(details)).toBe(true);
  return details as ErrorDetail[];
}

/** `{field, rule}` of each detail, to compare without the messages. */
function rules(details: ErrorDetail[]): { field: string | undefined; rule: string | undefined }[] {
  return details.map((d) => ({ field: d.field, rule: d.rule }));
}

const invoiceItems = (rows: unknown[], mode?: string) => ({ items: { ...(mode ? { _write_mode: mode } : {}), data: rows } });

describe('the fixture metadata', () => {
  it('accepts every entity and relation of the fixture', () => {
    expect(meta.rejected.size).toBe(0);
    expect([...meta.entities.keys()]).toEqual(['invoice', 'item', 'tax_line', 'tag', 'receipt']);
    expect([...meta.relations.keys()]).toEqual(['items', 'tax_lines', 'tags', 'receipt']);
    expect(relationOf(meta, 'items')).toMatchObject({ type: 'one_to_many', source_key: 'id', target_key: 'invoice_id', write_mode: 'diff' });
    expect(relationOf(meta, 'tax_lines')).toMatchObject({ type: 'one_to_many', source: 'item', target: 'tax_line', target_key: 'item_id' });
    expect(relationOf(meta, 'tags')).toMatchObject({
      type: 'many_to_many',
      source_key: 'id',
      target_key: 'id',
      join_table: 'invoice_tags',
      source_join_key: 'invoice_id',
      target_join_key: 'tag_id',
    });
    expect(relationOf(meta, 'receipt')).toMatchObject({ type: 'one_to_one', target_key: 'invoice_id' });
    expect(entityOf(meta, 'tax_line').primary_key).toEqual({ field: 'id', type: 'int', generated: true });
    expect(entityOf(meta, 'item').primary_key).toEqual({ field: 'id', type: 'uuid', generated: true });
  });
});

describe('splitNestedBody', () => {
  it('separates the relation keys of the entity from its fields', () => {
    const items = { data: [{ description: 'x' }] };
    const tags = { _write_mode: 'append', data: [] };
    const split = splitNestedBody(meta, 'invoice', { id: INVOICE, items, note: 'kept', tags });
    expect(split.fields).toEqual({ id: INVOICE, note: 'kept' });
    expect(split.nested.map((n) => n.relation.name)).toEqual(['items', 'tags']);
    expect(split.nested[0].relation).toBe(relationOf(meta, 'items'));
    expect(split.nested[0].value).toBe(items);
    expect(split.nested[1].value).toBe(tags);
  });

  it('keeps a key named like a relation of another entity among the fields', () => {
    const split = splitNestedBody(meta, 'item', { description: 'x', items: 1, tax_lines: { data: [] } });
    expect(split.fields).toEqual({ description: 'x', items: 1 });
    expect(split.nested.map((n) => n.relation.name)).toEqual(['tax_lines']);
  });

  it('an entity without relations: every key is a field', () => {
    const body = { tax_type: 'vat', items: { data: [] } };
    expect(splitNestedBody(meta, 'tax_line', body)).toEqual({ fields: body, nested: [] });
  });

  it.each([
    ['an array', [{ items: { data: [] } }]],
    ['null', null],
    ['a string', 'items'],
    ['a number', 42],
    ['undefined', undefined],
  ])('passes a body that is not a JSON object (%s) through as it is, with no nested writes', (_what, body) => {
    const split = splitNestedBody(meta, 'invoice', body);
    expect(split.fields).toBe(body);
    expect(split.nested).toEqual([]);
  });
});

describe('planNestedWrites: creating a parent', () => {
  const body = invoiceItems([
    {
      description: 'first',
      quantity: 1,
      tax_lines: { data: [{ tax_type: 'vat', rate: '0.2' }, { id: 7, tax_type: 'eco', rate: 1 }] },
    },
    { id: CLIENT_ITEM, description: 'second', quantity: 2, tax_lines: { data: [{ tax_type: 'vat' }] } },
  ]);

  it('plans items and their tax_lines parent-first, foreign keys set from the parent at every depth, with paths', async () => {
    const lookups = store();
    const children = await plan(newParent('invoice', { id: INVOICE }), body, lookups);
    const firstItem = issuedUuid(1);
    expect(children).toEqual([
      {
        entity: 'item',
        entity_id: firstItem,
        op: 'create',
        data: { id: firstItem, invoice_id: INVOICE, description: 'first', quantity: 1 },
        path: 'items[0]',
      },
      { entity: 'tax_line', entity_id: '902', op: 'create', data: { id: 902, item_id: firstItem, tax_type: 'vat', rate: '0.20' }, path: 'items[0].tax_lines[0]' },
      { entity: 'tax_line', entity_id: '7', op: 'create', data: { id: 7, item_id: firstItem, tax_type: 'eco', rate: 1 }, path: 'items[0].tax_lines[1]' },
      {
        entity: 'item',
        entity_id: CLIENT_ITEM,
        op: 'create',
        data: { id: CLIENT_ITEM, invoice_id: INVOICE, description: 'second', quantity: 2 },
        path: 'items[1]',
      },
      { entity: 'tax_line', entity_id: '903', op: 'create', data: { id: 903, item_id: CLIENT_ITEM, tax_type: 'vat' }, path: 'items[1].tax_lines[0]' },
    ]);
  });

  it('takes generated keys from newKey, in the key type of each entity (uuid item, int tax_line)', async () => {
    const lookups = store();
    const children = await plan(newParent('invoice', { id: INVOICE }), body, lookups);
    expect(lookups.fns('newKey')).toEqual([
      { fn: 'newKey', entity: 'item' },
      { fn: 'newKey', entity: 'tax_line' },
      { fn: 'newKey', entity: 'tax_line' },
    ]);
    const taxLineKeys = children.filter((c) => c.entity === 'tax_line').map((c) => c.data?.id);
    expect(taxLineKeys).toEqual([902, 7, 903]);
    expect(taxLineKeys.every((k) => typeof k === 'number')).toBe(true);
  });

  it('keeps the keys the client made, after checking that no record has them', async () => {
    const lookups = store();
    const children = await plan(newParent('invoice', { id: INVOICE }), body, lookups);
    expect(children.find((c) => c.path === 'items[1]')?.entity_id).toBe(CLIENT_ITEM);
    expect(children.find((c) => c.path === 'items[0].tax_lines[1]')?.entity_id).toBe('7');
    expect(lookups.fns('records')).toEqual([
      { fn: 'records', entity: 'item', ids: [CLIENT_ITEM] },
      { fn: 'records', entity: 'tax_line', ids: ['7'] },
    ]);
  });

  it('never asks for the current children of a created parent or of a created child', async () => {
    const lookups = store();
    await plan(newParent('invoice', { id: INVOICE }), body, lookups);
    expect(lookups.fns('related')).toEqual([]);
    expect(lookups.fns('record')).toEqual([]);
  });

  it('takes the parent key from the parent values, else from its id', async () => {
    const fromValues = await plan(newParent('invoice', { id: INVOICE }), invoiceItems([{ id: CLIENT_ITEM }]), store());
    expect(fromValues[0].data).toMatchObject({ invoice_id: INVOICE });
    const fromId = await plan(
      { entity: entityOf(meta, 'invoice'), id: OTHER_INVOICE, values: {}, isNew: true },
      invoiceItems([{ id: CLIENT_ITEM }]),
      store(),
    );
    expect(fromId[0].data).toMatchObject({ invoice_id: OTHER_INVOICE });
  });

  it('plans nothing, and reads nothing, when the body has no relation keys', async () => {
    const lookups = store();
    expect(await plan(newParent('invoice', { id: INVOICE }), { id: INVOICE }, lookups)).toEqual([]);
    expect(await planNestedWrites(meta, newParent('invoice', { id: INVOICE }), [], lookups, NOW)).toEqual([]);
    expect(lookups.calls).toEqual([]);
  });

  it('an empty data list plans nothing', async () => {
    expect(await plan(newParent('invoice', { id: INVOICE }), invoiceItems([]), store())).toEqual([]);
  });
});

describe('planNestedWrites: diff on an existing parent', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it('is the default write mode: a named current child gets a put of only the fields given', async () => {
    const lookups = store();
    const children = await plan(parent(), invoiceItems([{ id: ITEM_1, quantity: 5 }]), lookups);
    expect(children).toEqual([{ entity: 'item', entity_id: ITEM_1, op: 'put', data: { quantity: 5 }, path: 'items[0]' }]);
    expect(lookups.fns('related')).toEqual([{ fn: 'related', relation: 'items', parentKey: INVOICE }]);
  });

  it('leaves the current children it does not name untouched', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_1, description: 'renamed' }, { description: 'new' }]), store());
    expect(children.map((c) => [c.entity_id, c.op])).toEqual([
      [ITEM_1, 'put'],
      [issuedUuid(1), 'create'],
    ]);
    expect(children.some((c) => c.entity_id === ITEM_2)).toBe(false);
  });

  it('deletes a current child marked "_delete": true', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_2, _delete: true }]), store());
    expect(children).toEqual([{ entity: 'item', entity_id: ITEM_2, op: 'delete', path: 'items[0]' }]);
  });

  it('a row with "_delete": false is written like any other row', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_2, _delete: false, quantity: 3 }]), store());
    expect(children).toEqual([{ entity: 'item', entity_id: ITEM_2, op: 'put', data: { quantity: 3 }, path: 'items[0]' }]);
  });

  it('writes nothing for "_delete" of a record already deleted (a resent edit)', async () => {
    expect(await plan(parent(), invoiceItems([{ id: ITEM_DELETED, _delete: true }]), store())).toEqual([]);
  });

  it('refuses "_delete" of an id no record has (not_found)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: UNKNOWN_ITEM, _delete: true }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]', rule: 'not_found' }]);
  });

  it('refuses "_delete" of a live record of another parent (not_found)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_OTHER, _delete: true }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]', rule: 'not_found' }]);
  });

  it('refuses "_delete" of a row without a key (required)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ _delete: true }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].id', rule: 'required' }]);
  });

  it('refuses a "_delete" that is not a boolean (type)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_2, _delete: 'yes' }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]._delete', rule: 'type' }]);
  });

  it('asks for current children only of records that exist: the parent and the items it updates', async () => {
    const lookups = store();
    const children = await plan(
      parent(),
      invoiceItems([
        { id: ITEM_1, tax_lines: { data: [{ id: 3, rate: '0.1' }, { tax_type: 'new' }] } },
        { description: 'new', tax_lines: { data: [{ tax_type: 'vat' }] } },
      ]),
      lookups,
    );
    expect(lookups.fns('related')).toEqual([
      { fn: 'related', relation: 'items', parentKey: INVOICE },
      { fn: 'related', relation: 'tax_lines', parentKey: ITEM_1 },
    ]);
    const taxLines = children.filter((c) => c.entity === 'tax_line');
    expect(taxLines).toEqual([
      { entity: 'tax_line', entity_id: '3', op: 'put', data: { rate: '0.10' }, path: 'items[0].tax_lines[0]' },
      { entity: 'tax_line', entity_id: '901', op: 'create', data: { id: 901, item_id: ITEM_1, tax_type: 'new' }, path: 'items[0].tax_lines[1]' },
      { entity: 'tax_line', entity_id: '903', op: 'create', data: { id: 903, item_id: issuedUuid(2), tax_type: 'vat' }, path: 'items[1].tax_lines[0]' },
    ]);
  });

  it('a named current child with an int key is found by its key text', async () => {
    const children = await plan(
      existingParent('item', ITEM_1, { id: ITEM_1 }),
      { tax_lines: { data: [{ id: 4, _delete: true }, { id: 3, tax_type: 'gst' }] } },
      store(),
    );
    expect(children).toEqual([
      { entity: 'tax_line', entity_id: '4', op: 'delete', path: 'tax_lines[0]' },
      { entity: 'tax_line', entity_id: '3', op: 'put', data: { tax_type: 'gst' }, path: 'tax_lines[1]' },
    ]);
  });
});

describe('planNestedWrites: replace', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it('updates the named current children, creates the new rows and deletes the current children it does not name', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_1, quantity: 9 }, { description: 'new' }], 'replace'), store());
    expect(children).toEqual([
      { entity: 'item', entity_id: ITEM_1, op: 'put', data: { quantity: 9 }, path: 'items[0]' },
      {
        entity: 'item',
        entity_id: issuedUuid(1),
        op: 'create',
        data: { id: issuedUuid(1), invoice_id: INVOICE, description: 'new' },
        path: 'items[1]',
      },
      { entity: 'item', entity_id: ITEM_2, op: 'delete', path: 'items' },
    ]);
  });

  it('with no rows deletes every current child (and not the deleted one again)', async () => {
    const children = await plan(parent(), invoiceItems([], 'replace'), store());
    expect(children).toEqual([
      { entity: 'item', entity_id: ITEM_1, op: 'delete', path: 'items' },
      { entity: 'item', entity_id: ITEM_2, op: 'delete', path: 'items' },
    ]);
  });

  it('deletes a child named with "_delete": true once', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_1 }, { id: ITEM_2, _delete: true }], 'replace'), store());
    expect(children.filter((c) => c.op === 'delete')).toEqual([{ entity: 'item', entity_id: ITEM_2, op: 'delete', path: 'items[1]' }]);
  });

  it("is the default when the relation's write_mode is replace, and the body's _write_mode overrides it", async () => {
    const replacing = define([['relation', { ...relationOf(meta, 'items'), write_mode: 'replace' }]], meta);
    expect(relationOf(replacing, 'items').write_mode).toBe('replace');
    const byDefault = await plan(existingParent('invoice', INVOICE, { id: INVOICE }, replacing), invoiceItems([{ id: ITEM_1 }]), store(replacing), replacing);
    expect(byDefault.filter((c) => c.op === 'delete').map((c) => c.entity_id)).toEqual([ITEM_2]);
    const diff = await plan(existingParent('invoice', INVOICE, { id: INVOICE }, replacing), invoiceItems([{ id: ITEM_1 }], 'diff'), store(replacing), replacing);
    expect(diff.filter((c) => c.op === 'delete')).toEqual([]);
  });
});

describe('planNestedWrites: append', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it('skips rows that name a current child and creates the new rows', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_1, quantity: 99 }, { description: 'new' }], 'append'), store());
    expect(children).toEqual([
      {
        entity: 'item',
        entity_id: issuedUuid(1),
        op: 'create',
        data: { id: issuedUuid(1), invoice_id: INVOICE, description: 'new' },
        path: 'items[1]',
      },
    ]);
  });

  it('refuses "_delete" (write_mode)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_1, _delete: true }], 'append'), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]._delete', rule: 'write_mode' }]);
  });
});

describe('planNestedWrites: rows with a key the client gives', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it('creates a row whose key no record has, with that key', async () => {
    const lookups = store();
    const children = await plan(parent(), invoiceItems([{ id: CLIENT_ITEM, description: 'offline' }]), lookups);
    expect(children).toEqual([
      {
        entity: 'item',
        entity_id: CLIENT_ITEM,
        op: 'create',
        data: { id: CLIENT_ITEM, invoice_id: INVOICE, description: 'offline' },
        path: 'items[0]',
      },
    ]);
    expect(lookups.fns('records')).toEqual([{ fn: 'records', entity: 'item', ids: [CLIENT_ITEM] }]);
    expect(lookups.fns('newKey')).toEqual([]);
  });

  it('refuses the key of a live record that is not a child of this parent (not_a_child)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_OTHER, description: 'mine now' }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]', rule: 'not_a_child' }]);
  });

  it('refuses the key of a deleted record (deleted)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_DELETED, description: 'back' }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]', rule: 'deleted' }]);
  });

  it('refuses the key of another parent\'s child for a created parent too', async () => {
    const details = await refusal(plan(newParent('invoice', { id: NEW_INVOICE }), invoiceItems([{ id: ITEM_1 }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]', rule: 'not_a_child' }]);
  });

  it('refuses a key that does not fit the key type', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: 'not-a-uuid' }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].id', rule: 'type' }]);
  });

  it('finds a current child named by its uuid in capitals: a put, not a create', async () => {
    const children = await plan(parent(), invoiceItems([{ id: ITEM_1.toUpperCase(), quantity: 4 }]), store());
    expect(children).toEqual([{ entity: 'item', entity_id: ITEM_1, op: 'put', data: { quantity: 4 }, path: 'items[0]' }]);
  });

  it("refuses another parent's child named by its uuid in capitals (not_a_child)", async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_OTHER.toUpperCase(), description: 'mine now' }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0]', rule: 'not_a_child' }]);
  });
});

describe('planNestedWrites: foreign keys', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it('refuses a new row whose foreign key names another parent (foreign_key)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ description: 'x', invoice_id: OTHER_INVOICE }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].invoice_id', rule: 'foreign_key' }]);
  });

  it('refuses a current child moved to another parent (foreign_key)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_1, invoice_id: OTHER_INVOICE }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].invoice_id', rule: 'foreign_key' }]);
  });

  it('refuses a foreign key of another parent at depth 2', async () => {
    const details = await refusal(
      plan(parent(), invoiceItems([{ id: ITEM_1, tax_lines: { data: [{ tax_type: 'vat', item_id: ITEM_2 }] } }]), store()),
    );
    expect(rules(details)).toEqual([{ field: 'items[0].tax_lines[0].item_id', rule: 'foreign_key' }]);
  });

  it('accepts a foreign key equal to the parent key: kept on a create, left out of a put', async () => {
    const children = await plan(
      parent(),
      invoiceItems([
        { description: 'new', invoice_id: INVOICE },
        { id: ITEM_1, invoice_id: INVOICE, quantity: 6 },
      ]),
      store(),
    );
    expect(children).toEqual([
      {
        entity: 'item',
        entity_id: issuedUuid(1),
        op: 'create',
        data: { id: issuedUuid(1), invoice_id: INVOICE, description: 'new' },
        path: 'items[0]',
      },
      { entity: 'item', entity_id: ITEM_1, op: 'put', data: { quantity: 6 }, path: 'items[1]' },
    ]);
  });

  it('accepts a foreign key equal to the parent key written in capitals (the same uuid)', async () => {
    const children = await plan(parent(), invoiceItems([{ description: 'new', invoice_id: INVOICE.toUpperCase() }]), store());
    expect(children).toHaveLength(1);
    expect(children[0].data).toMatchObject({ invoice_id: INVOICE });
  });

  it('a null or empty foreign key is set from the parent', async () => {
    const children = await plan(parent(), invoiceItems([{ invoice_id: null }, { invoice_id: '' }]), store());
    expect(children.map((c) => c.data?.invoice_id)).toEqual([INVOICE, INVOICE]);
  });
});

describe('planNestedWrites: validation', () => {
  it('collects every problem, at every depth, in one VALIDATION_FAILED, each under its path in the body', async () => {
    const details = await refusal(
      plan(
        newParent('invoice', { id: INVOICE }),
        invoiceItems([
          { description: 'ok', tax_lines: { data: [{ rate: '0.1' }, { tax_type: 'vat', rate: 'lots' }] } },
          { description: 'bad', quantity: 'two' },
        ]),
        store(),
      ),
    );
    expect(rules(details)).toEqual([
      { field: 'items[0].tax_lines[0].tax_type', rule: 'required' },
      { field: 'items[0].tax_lines[1].rate', rule: 'type' },
      { field: 'items[1].quantity', rule: 'type' },
    ]);
    expect(details.every((d) => typeof d.message === 'string' && d.message.length > 0)).toBe(true);
  });

  it('reports an unknown field of a row under its path', async () => {
    const details = await refusal(plan(newParent('invoice', { id: INVOICE }), invoiceItems([{ description: 'x', colour: 'red' }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].colour', rule: 'unknown' }]);
  });

  it('checks the fields of a put too', async () => {
    const details = await refusal(plan(existingParent('invoice', INVOICE, { id: INVOICE }), invoiceItems([{ id: ITEM_1, quantity: 1.5 }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].quantity', rule: 'type' }]);
  });

  it('does not look at the relation keys of a row that is refused', async () => {
    const lookups = store();
    const details = await refusal(
      plan(
        newParent('invoice', { id: INVOICE }),
        invoiceItems([{ quantity: 'x', tax_lines: { data: [{ id: 5 }] } }]),
        lookups,
      ),
    );
    expect(rules(details)).toEqual([{ field: 'items[0].quantity', rule: 'type' }]);
    expect(lookups.calls.some((c) => c.fn === 'records' && c.entity === 'tax_line')).toBe(false);
  });

  it('refuses a row that is not a JSON object (type)', async () => {
    const details = await refusal(plan(newParent('invoice', { id: INVOICE }), invoiceItems([{ description: 'ok' }, 'row', null]), store()));
    expect(rules(details)).toEqual([{ field: 'items[1]', rule: 'type' }]);
  });
});

describe('planNestedWrites: many_to_many', () => {
  const tags = relationOf(meta, 'tags');
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });
  const invoiceTags = (rows: unknown[], mode?: string) => ({ tags: { ...(mode ? { _write_mode: mode } : {}), data: rows } });

  it('links a new target by creating its _link_tags record, keyed by the pair', async () => {
    const children = await plan(parent(), invoiceTags([{ id: TAG_C }]), store());
    const id = linkId(INVOICE, TAG_C);
    expect(children).toEqual([
      { entity: '_link_tags', entity_id: id, op: 'create', data: { _link: id, invoice_id: INVOICE, tag_id: TAG_C }, path: 'tags' },
    ]);
    expect(children[0].data).toEqual(linkState(tags, INVOICE, TAG_C));
  });

  it('restores the link record of a pair unlinked before', async () => {
    const children = await plan(parent(), invoiceTags([{ id: TAG_B }]), store());
    expect(children).toEqual([{ entity: '_link_tags', entity_id: linkId(INVOICE, TAG_B), op: 'restore', path: 'tags' }]);
  });

  it('writes nothing for a target already linked (also when named in capitals)', async () => {
    expect(await plan(parent(), invoiceTags([{ id: TAG_A }]), store())).toEqual([]);
    expect(await plan(parent(), invoiceTags([{ id: TAG_A.toUpperCase() }]), store())).toEqual([]);
  });

  it('unlinks a target marked "_delete": true by deleting its link record', async () => {
    const children = await plan(parent(), invoiceTags([{ id: TAG_A, _delete: true }]), store());
    expect(children).toEqual([{ entity: '_link_tags', entity_id: linkId(INVOICE, TAG_A), op: 'delete', path: 'tags' }]);
  });

  it('writes nothing to unlink a target that is not linked', async () => {
    expect(await plan(parent(), invoiceTags([{ id: TAG_C, _delete: true }]), store())).toEqual([]);
  });

  it('replace links the new targets and unlinks the linked ones it does not name, never writing a tag', async () => {
    const children = await plan(parent(), invoiceTags([{ id: TAG_A }, { id: TAG_C }], 'replace'), store());
    expect(children).toEqual([
      { entity: '_link_tags', entity_id: linkId(INVOICE, TAG_C), op: 'create', data: linkState(tags, INVOICE, TAG_C), path: 'tags' },
      { entity: '_link_tags', entity_id: linkId(INVOICE, TAG_D), op: 'delete', path: 'tags' },
    ]);
  });

  it('append links the new targets and leaves the linked ones', async () => {
    const children = await plan(parent(), invoiceTags([{ id: TAG_C }], 'append'), store());
    expect(children.map((c) => [c.entity_id, c.op])).toEqual([[linkId(INVOICE, TAG_C), 'create']]);
  });

  it('refuses "_delete" in append mode (write_mode)', async () => {
    const details = await refusal(plan(parent(), invoiceTags([{ id: TAG_A, _delete: true }], 'append'), store()));
    expect(rules(details)).toEqual([{ field: 'tags[0]._delete', rule: 'write_mode' }]);
  });

  it('links for a created parent without asking for its current links', async () => {
    const lookups = store();
    const children = await plan(newParent('invoice', { id: OTHER_INVOICE }), invoiceTags([{ id: TAG_A }, { id: TAG_B }]), lookups);
    expect(children.map((c) => [c.entity_id, c.op])).toEqual([
      [linkId(OTHER_INVOICE, TAG_A), 'create'],
      [linkId(OTHER_INVOICE, TAG_B), 'create'],
    ]);
    expect(lookups.fns('related')).toEqual([]);
  });

  it('does not create again a link record that is live, even when the current links do not show it', async () => {
    // a created parent has no current links to ask for; its key already has a live link record
    const lookups = store();
    const children = await plan(newParent('invoice', { id: INVOICE }), invoiceTags([{ id: TAG_A }, { id: TAG_C }]), lookups);
    expect(children.map((c) => [c.entity_id, c.op])).toEqual([[linkId(INVOICE, TAG_C), 'create']]);
    expect(lookups.fns('records')).toContainEqual({ fn: 'records', entity: '_link_tags', ids: [linkId(INVOICE, TAG_A), linkId(INVOICE, TAG_C)] });
  });

  it('refuses to link a tag that does not exist, or was deleted (not_found)', async () => {
    const details = await refusal(plan(parent(), invoiceTags([{ id: TAG_NEVER }, { id: TAG_C }, { id: TAG_GONE }]), store()));
    expect(rules(details)).toEqual([
      { field: 'tags', rule: 'not_found' },
      { field: 'tags', rule: 'not_found' },
    ]);
    expect(details.map((d) => d.message).join(' ')).toContain(TAG_NEVER);
    expect(details.map((d) => d.message).join(' ')).toContain(TAG_GONE);
  });

  it('refuses a target key that is not a uuid (type)', async () => {
    const details = await refusal(plan(parent(), invoiceTags([{ id: 'tag-1' }, { id: 12 }]), store()));
    expect(rules(details)).toEqual([
      { field: 'tags[0].id', rule: 'type' },
      { field: 'tags[1].id', rule: 'type' },
    ]);
  });

  it('refuses a row that does not name its target (required)', async () => {
    const details = await refusal(plan(parent(), invoiceTags([{ label: 'x' }]), store()));
    expect(rules(details)).toEqual([{ field: 'tags[0].id', rule: 'required' }]);
  });

  it('refuses a target both linked and unlinked in one write, as one_to_many refuses a row written twice (duplicate)', async () => {
    const notLinked = await refusal(plan(parent(), invoiceTags([{ id: TAG_C }, { id: TAG_C, _delete: true }]), store()));
    expect(rules(notLinked)).toEqual([{ field: 'tags[1]', rule: 'duplicate' }]);
    const linked = await refusal(plan(parent(), invoiceTags([{ id: TAG_A }, { id: TAG_A, _delete: true }]), store()));
    expect(rules(linked)).toEqual([{ field: 'tags[1]', rule: 'duplicate' }]);
  });

  it('refuses a "_delete" that is not a boolean, as a row of one_to_many does (type)', async () => {
    const details = await refusal(plan(parent(), invoiceTags([{ id: TAG_C, _delete: 'true' }]), store()));
    expect(rules(details)).toEqual([{ field: 'tags[0]._delete', rule: 'type' }]);
  });
});

describe('planNestedWrites: one_to_one', () => {
  it('refuses two live rows for a created parent (one_to_one)', async () => {
    const details = await refusal(plan(newParent('invoice', { id: OTHER_INVOICE }), { receipt: { data: [{}, {}] } }, store()));
    expect(rules(details)).toEqual([{ field: 'receipt', rule: 'one_to_one' }]);
  });

  it('refuses a second row next to the current one in diff mode (one_to_one)', async () => {
    const details = await refusal(plan(existingParent('invoice', INVOICE, { id: INVOICE }), { receipt: { data: [{}] } }, store()));
    expect(rules(details)).toEqual([{ field: 'receipt', rule: 'one_to_one' }]);
  });

  it('accepts one row for a created parent', async () => {
    const children = await plan(newParent('invoice', { id: OTHER_INVOICE }), { receipt: { data: [{}] } }, store());
    expect(children).toEqual([
      { entity: 'receipt', entity_id: issuedUuid(1), op: 'create', data: { id: issuedUuid(1), invoice_id: OTHER_INVOICE }, path: 'receipt[0]' },
    ]);
  });

  it('accepts swapping the current row: replace, or "_delete" and a new row', async () => {
    const replaced = await plan(existingParent('invoice', INVOICE, { id: INVOICE }), { receipt: { _write_mode: 'replace', data: [{}] } }, store());
    expect(replaced.map((c) => [c.entity_id, c.op])).toEqual([
      [issuedUuid(1), 'create'],
      [RECEIPT_1, 'delete'],
    ]);
    const swapped = await plan(existingParent('invoice', INVOICE, { id: INVOICE }), { receipt: { data: [{ id: RECEIPT_1, _delete: true }, {}] } }, store());
    expect(swapped.map((c) => [c.entity_id, c.op])).toEqual([
      [RECEIPT_1, 'delete'],
      [issuedUuid(1), 'create'],
    ]);
  });
});

describe('planNestedWrites: malformed relation values', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it.each([
    ['an array instead of {data: [...]}', [{ description: 'x' }]],
    ['null', null],
    ['a string', 'items'],
    ['an object without data', { _write_mode: 'diff' }],
    ['data that is not an array', { data: { description: 'x' } }],
    ['an unknown key next to data', { data: [], mode: 'replace' }],
  ])('refuses %s, with the relation name as field (nested_write)', async (_what, value) => {
    const lookups = store();
    const details = await refusal(plan(parent(), { items: value }, lookups));
    expect(rules(details)).toEqual([{ field: 'items', rule: 'nested_write' }]);
    expect(lookups.calls).toEqual([]);
  });

  it('refuses an unknown _write_mode (enum), under the relation name', async () => {
    const details = await refusal(plan(parent(), { items: { _write_mode: 'merge', data: [] } }, store()));
    expect(rules(details)).toEqual([{ field: 'items._write_mode', rule: 'enum' }]);
  });

  it('refuses a malformed nested relation value under its path', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ description: 'x', tax_lines: [{ tax_type: 'vat' }] }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[0].tax_lines', rule: 'nested_write' }]);
  });

  it('refuses a malformed many_to_many value too', async () => {
    const details = await refusal(plan(parent(), { tags: [{ id: TAG_A }] }, store()));
    expect(rules(details)).toEqual([{ field: 'tags', rule: 'nested_write' }]);
  });

  it('reports each malformed relation of one body', async () => {
    const details = await refusal(plan(parent(), { items: [], tags: { data: [], x: 1 }, receipt: { data: [] } }, store()));
    expect(rules(details)).toEqual([
      { field: 'items', rule: 'nested_write' },
      { field: 'tags', rule: 'nested_write' },
    ]);
  });

  it('refuses a relation whose target entity is not defined (unknown)', async () => {
    const entities = new Map(meta.entities);
    entities.delete('receipt');
    const broken: AppMetadata = { ...meta, entities };
    const details = await refusal(plan(existingParent('invoice', INVOICE, { id: INVOICE }, broken), { receipt: { data: [{}] } }, store(broken), broken));
    expect(rules(details)).toEqual([{ field: 'receipt', rule: 'unknown' }]);
  });
});

describe('planNestedWrites: depth', () => {
  /** A self-referencing relation: parts hold sub-parts. */
  const parts = define(
    [
      ['entity', { name: 'part', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'parent_id', type: 'uuid' }, { name: 'name', type: 'string' }] }],
      ['relation', { name: 'subparts', type: 'one_to_many', source: 'part', target: 'part', target_key: 'parent_id' }],
    ],
    meta,
  );
  const ROOT = 'a1000000-0000-4000-8000-000000000001';

  /** A body nesting `levels` levels of subparts. */
  function chain(levels: number): Record<string, unknown> {
    let body: Record<string, unknown> = { name: `level ${levels}` };
    for (let level = levels; level >= 1; level--) {
      body = level === 1 ? { subparts: { data: [body] } } : { name: `level ${level - 1}`, subparts: { data: [body] } };
    }
    return body;
  }

  it('accepts a self-referencing relation', () => {
    expect(parts.rejected.size).toBe(0);
    expect(relationOf(parts, 'subparts')).toMatchObject({ source: 'part', target: 'part' });
  });

  it(`accepts ${MAX_NESTED_DEPTH} levels, each row's foreign key its parent's key`, async () => {
    const children = await plan(newParent('part', { id: ROOT }, parts), chain(MAX_NESTED_DEPTH), new MemoryLookups(parts), parts);
    expect(children).toHaveLength(MAX_NESTED_DEPTH);
    expect(children.map((c) => c.data?.parent_id)).toEqual([ROOT, ...children.slice(0, -1).map((c) => c.entity_id)]);
    expect(children[MAX_NESTED_DEPTH - 1].path).toBe(Array(MAX_NESTED_DEPTH).fill('subparts[0]').join('.'));
  });

  it(`refuses a chain deeper than ${MAX_NESTED_DEPTH} levels (max_depth)`, async () => {
    const details = await refusal(plan(newParent('part', { id: ROOT }, parts), chain(MAX_NESTED_DEPTH + 1), new MemoryLookups(parts), parts));
    expect(rules(details)).toEqual([
      { field: `${Array(MAX_NESTED_DEPTH).fill('subparts[0]').join('.')}.subparts`, rule: 'max_depth' },
    ]);
  });
});

describe('planNestedWrites: one record written twice', () => {
  const parent = () => existingParent('invoice', INVOICE, { id: INVOICE });

  it('refuses two rows creating the same key (duplicate)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: CLIENT_ITEM }, { id: CLIENT_ITEM }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[1]', rule: 'duplicate' }]);
  });

  it('refuses a current child both updated and deleted (duplicate)', async () => {
    const details = await refusal(plan(parent(), invoiceItems([{ id: ITEM_1, quantity: 2 }, { id: ITEM_1, _delete: true }]), store()));
    expect(rules(details)).toEqual([{ field: 'items[1]', rule: 'duplicate' }]);
  });

  it('refuses the same key created under two parents (duplicate)', async () => {
    const details = await refusal(
      plan(
        parent(),
        invoiceItems([
          { description: 'a', tax_lines: { data: [{ id: 7, tax_type: 'vat' }] } },
          { description: 'b', tax_lines: { data: [{ id: 7, tax_type: 'vat' }] } },
        ]),
        store(),
      ),
    );
    expect(rules(details)).toEqual([{ field: 'items[1].tax_lines[0]', rule: 'duplicate' }]);
  });
});

describe('planNestedWrites: a source_key that is not the primary key', () => {
  const orders = define(
    [
      ['entity', { name: 'purchase', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'code', type: 'string' }] }],
      ['entity', { name: 'shipment', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'purchase_code', type: 'string' }] }],
      [
        'relation',
        { name: 'shipments', type: 'one_to_many', source: 'purchase', target: 'shipment', source_key: 'code', target_key: 'purchase_code' },
      ],
    ],
    meta,
  );
  const PURCHASE = 'a2000000-0000-4000-8000-000000000001';
  const SHIPMENT = 'a3000000-0000-4000-8000-000000000001';
  const lookups = () =>
    new MemoryLookups(orders)
      .save('purchase', PURCHASE, { id: PURCHASE, code: 'P-1' })
      .save('shipment', SHIPMENT, { id: SHIPMENT, purchase_code: 'P-1' });
  const body = { shipments: { _write_mode: 'replace', data: [{}] } };

  it('accepts the relation', () => {
    expect(orders.rejected.size).toBe(0);
    expect(relationOf(orders, 'shipments')).toMatchObject({ source_key: 'code', target_key: 'purchase_code' });
  });

  it("reads the key from the stored record when an existing parent's values lack it", async () => {
    const reads = lookups();
    const children = await plan(existingParent('purchase', PURCHASE, { id: PURCHASE }, orders), body, reads, orders);
    expect(reads.fns('record')).toEqual([{ fn: 'record', entity: 'purchase', id: PURCHASE }]);
    expect(reads.fns('related')).toEqual([{ fn: 'related', relation: 'shipments', parentKey: 'P-1' }]);
    expect(children).toEqual([
      { entity: 'shipment', entity_id: issuedUuid(1), op: 'create', data: { id: issuedUuid(1), purchase_code: 'P-1' }, path: 'shipments[0]' },
      { entity: 'shipment', entity_id: SHIPMENT, op: 'delete', path: 'shipments' },
    ]);
  });

  it('uses the value given for the parent without reading the stored record', async () => {
    const reads = lookups();
    const children = await plan(existingParent('purchase', PURCHASE, { id: PURCHASE, code: 'P-2' }, orders), body, reads, orders);
    expect(reads.fns('record')).toEqual([]);
    expect(reads.fns('related')).toEqual([{ fn: 'related', relation: 'shipments', parentKey: 'P-2' }]);
    expect(children).toEqual([
      { entity: 'shipment', entity_id: issuedUuid(1), op: 'create', data: { id: issuedUuid(1), purchase_code: 'P-2' }, path: 'shipments[0]' },
    ]);
  });

  it('refuses the write when the parent has no value for the key (required)', async () => {
    const created = await refusal(plan(newParent('purchase', { id: PURCHASE }, orders), body, lookups(), orders));
    expect(rules(created)).toEqual([{ field: 'shipments', rule: 'required' }]);
    const reads = new MemoryLookups(orders).save('purchase', PURCHASE, { id: PURCHASE });
    const existing = await refusal(plan(existingParent('purchase', PURCHASE, { id: PURCHASE }, orders), body, reads, orders));
    expect(rules(existing)).toEqual([{ field: 'shipments', rule: 'required' }]);
  });
});

describe('planNestedWrites: limits', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ description: `row ${i}` }));

  it(`accepts ${MAX_CHILDREN} related records in one write`, async () => {
    const children = await plan(newParent('invoice', { id: INVOICE }), invoiceItems(rows(MAX_CHILDREN)), store());
    expect(children).toHaveLength(MAX_CHILDREN);
    expect(new Set(children.map((c) => c.entity_id)).size).toBe(MAX_CHILDREN);
  });

  it(`refuses more than ${MAX_CHILDREN} related records in one write (max_children)`, async () => {
    const details = await refusal(plan(newParent('invoice', { id: INVOICE }), invoiceItems(rows(MAX_CHILDREN + 1)), store()));
    expect(rules(details)).toEqual([{ field: undefined, rule: 'max_children' }]);
  });
});
