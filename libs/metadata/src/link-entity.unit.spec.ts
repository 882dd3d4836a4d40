import fc from 'fast-check';
import { applyMetaChange, emptyMetadata, type AppMetadata } from './app-metadata';
import { metaKey, type MetaKind } from './meta-kinds';
import type { EntityDefinition } from './entity-definition';
import {
  LINK_ENTITY_PREFIX,
  LINK_ID_FIELD,
  isLinkEntity,
  linkEntityDefinition,
  linkEntityName,
  linkId,
  linkState,
} from './link-entity';
import { validateRecordWrite } from './record-validation';
import type { RelationDefinition } from './relation-definition';

function define(definitions: [MetaKind, object][]): AppMetadata {
  return definitions.reduce(
    (meta, [kind, definition], i) =>
      applyMetaChange(meta, { key: metaKey(kind, (definition as { name: string }).name), definition, position: i + 1 }),
    emptyMetadata(),
  );
}

const meta = define([
  ['entity', { name: 'invoice', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'number', type: 'string' }] }],
  ['entity', { name: 'tag', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'label', type: 'string' }] }],
  [
    'entity',
    {
      name: 'tax_line',
      primary_key: { field: 'id', type: 'int', generated: true },
      fields: [{ name: 'id', type: 'int', required: true }, { name: 'tax_type', type: 'string' }],
    },
  ],
  [
    'entity',
    {
      name: 'ledger',
      primary_key: { field: 'code', type: 'bigint', generated: false },
      fields: [{ name: 'code', type: 'bigint', required: true }],
    },
  ],
  ['entity', { name: 'item', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'invoice_id', type: 'uuid' }] }],
  [
    'relation',
    { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id' },
  ],
  [
    'relation',
    {
      name: 'tax_tags',
      type: 'many_to_many',
      source: 'tax_line',
      target: 'tag',
      join_table: 'tax_line_tags',
      source_join_key: 'tax_line_id',
      target_join_key: 'tag_id',
    },
  ],
  [
    'relation',
    {
      name: 'ledgers',
      type: 'many_to_many',
      source: 'invoice',
      target: 'ledger',
      source_key: 'number',
      join_table: 'invoice_ledgers',
      source_join_key: 'invoice_number',
      target_join_key: 'ledger_code',
    },
  ],
  [
    'relation',
    {
      name: 'labels',
      type: 'many_to_many',
      source: 'tax_line',
      target: 'tag',
      target_key: 'label',
      join_table: 'tax_line_labels',
      source_join_key: 'tax_line_id',
      target_join_key: 'label',
    },
  ],
  ['relation', { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', target_key: 'invoice_id' }],
]);

function entity(name: string): EntityDefinition {
  const found = meta.entities.get(name);
  if (!found) throw new Error(`fixture: no entity ${name}`);
  return found;
}

function relation(name: string): RelationDefinition {
  const found = meta.relations.get(name);
  if (!found) throw new Error(`fixture: no relation ${name}`);
  return found;
}

const INVOICE = 'a0000000-0000-4000-8000-000000000001';
const TAG = 'd0000000-0000-4000-8000-00000000000a';

describe('link entity names', () => {
  it('accepts the fixture', () => {
    expect(meta.rejected.size).toBe(0);
    expect([...meta.relations.keys()]).toEqual(['tags', 'tax_tags', 'ledgers', 'labels', 'items']);
  });

  it('names the link entity of a relation _link_<relation>', () => {
    expect(LINK_ENTITY_PREFIX).toBe('_link_');
    expect(linkEntityName('tags')).toBe('_link_tags');
    expect(linkEntityName('tax_tags')).toBe('_link_tax_tags');
  });

  it('tells link entities from the entities of an app', () => {
    expect(isLinkEntity('_link_tags')).toBe(true);
    expect(isLinkEntity(linkEntityName('anything'))).toBe(true);
    expect(isLinkEntity('tags')).toBe(false);
    expect(isLinkEntity('link_tags')).toBe(false);
    expect(isLinkEntity('_meta')).toBe(false);
    expect(isLinkEntity('x_link_tags')).toBe(false);
  });

  it('no entity name an app may define is a link entity name', () => {
    for (const name of meta.entities.keys()) expect(isLinkEntity(name)).toBe(false);
    const refused = applyMetaChange(meta, { key: 'entity:_link_tags', definition: { name: '_link_tags', fields: [] }, position: 99 });
    expect(refused.entities.has('_link_tags')).toBe(false);
    expect(refused.rejected.get('entity:_link_tags')?.[0]).toMatchObject({ field: 'name', rule: 'reserved' });
  });
});

describe('linkId', () => {
  it('is the pair of keys as JSON text', () => {
    expect(linkId(INVOICE, TAG)).toBe(`["${INVOICE}","${TAG}"]`);
    expect(JSON.parse(linkId('a', 'b'))).toEqual(['a', 'b']);
  });

  it('takes keys as text: an int key and its digits give the same id', () => {
    expect(linkId(7, 12)).toBe(linkId('7', '12'));
    expect(linkId(7, 12)).toBe('["7","12"]');
  });

  it.each([
    ['a comma', ['a,b', 'c'], ['a', 'b,c']],
    ['a quote', ['a"', 'b'], ['a', '"b']],
    ['a quote and comma', ['a","b', 'c'], ['a', 'b","c']],
    ['a slash', ['a/b', 'c'], ['a', 'b/c']],
    ['a backslash', ['a\\', 'b'], ['a', '\\b']],
    ['brackets', ['[a', 'b]'], ['[a"', '"b]']],
    ['an empty key', ['', 'ab'], ['a', 'b']],
  ])('tells apart pairs whose keys hold %s', (_what, [a, b], [c, d]) => {
    expect(linkId(a, b)).not.toBe(linkId(c, d));
    expect(JSON.parse(linkId(a, b))).toEqual([a, b]);
    expect(JSON.parse(linkId(c, d))).toEqual([c, d]);
  });

  it('is the same id exactly when both keys are the same (any strings)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
        expect(linkId(a, b) === linkId(c, d)).toBe(a === c && b === d);
        expect(JSON.parse(linkId(a, b))).toEqual([a, b]);
      }),
    );
  });
});

describe('linkState', () => {
  it('is the join-table row: the link id and both join keys', () => {
    expect(linkState(relation('tags'), INVOICE, TAG)).toEqual({ [LINK_ID_FIELD]: linkId(INVOICE, TAG), invoice_id: INVOICE, tag_id: TAG });
    expect(LINK_ID_FIELD).toBe('_link');
  });

  it('keeps the keys as given (an int key stays a number)', () => {
    expect(linkState(relation('tax_tags'), 7, TAG)).toEqual({ _link: '["7","' + TAG + '"]', tax_line_id: 7, tag_id: TAG });
  });
});

describe('linkEntityDefinition', () => {
  it('is the entity _link_<relation> whose table is the join table, keyed by the link id', () => {
    expect(linkEntityDefinition(relation('tags'), entity('invoice'), entity('tag'))).toEqual({
      name: '_link_tags',
      table: 'invoice_tags',
      primary_key: { field: '_link', type: 'string', generated: false },
      soft_delete: false,
      fields: [
        { name: '_link', type: 'string', required: true },
        { name: 'invoice_id', type: 'uuid', required: true },
        { name: 'tag_id', type: 'uuid', required: true },
      ],
      history: true,
      merge_policy: 'field',
      stale_write: 'reject',
    });
  });

  it('types the source join key like the source key: an int key gives an int column', () => {
    const link = linkEntityDefinition(relation('tax_tags'), entity('tax_line'), entity('tag'));
    expect(link?.fields.map((f) => [f.name, f.type])).toEqual([
      ['_link', 'string'],
      ['tax_line_id', 'int'],
      ['tag_id', 'uuid'],
    ]);
  });

  it('types the join keys like keys that are not primary keys (string source key, bigint target)', () => {
    const link = linkEntityDefinition(relation('ledgers'), entity('invoice'), entity('ledger'));
    expect(link?.fields.map((f) => [f.name, f.type])).toEqual([
      ['_link', 'string'],
      ['invoice_number', 'string'],
      ['ledger_code', 'bigint'],
    ]);
    const byLabel = linkEntityDefinition(relation('labels'), entity('tax_line'), entity('tag'));
    expect(byLabel?.fields.map((f) => [f.name, f.type])).toEqual([
      ['_link', 'string'],
      ['tax_line_id', 'int'],
      ['label', 'string'],
    ]);
  });

  it('accepts the link states linkState makes, and refuses a join key of the wrong type', () => {
    const link = linkEntityDefinition(relation('tax_tags'), entity('tax_line'), entity('tag'));
    if (!link) throw new Error('expected a link entity');
    const now = new Date('2026-03-01T00:00:00Z');
    expect(validateRecordWrite(link, 'create', linkState(relation('tax_tags'), 7, TAG), now)).toEqual({
      ok: true,
      value: { _link: linkId(7, TAG), tax_line_id: 7, tag_id: TAG },
    });
    const wrong = validateRecordWrite(link, 'create', linkState(relation('tax_tags'), 'seven', TAG), now);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.details).toEqual([expect.objectContaining({ field: 'tax_line_id', rule: 'type' })]);
  });

  it('is null for a relation that is not many_to_many, even one that names a join table', () => {
    expect(linkEntityDefinition(relation('items'), entity('invoice'), entity('item'))).toBeNull();
    const tags = relation('tags');
    expect(linkEntityDefinition({ ...tags, type: 'one_to_many' }, entity('invoice'), entity('tag'))).toBeNull();
    expect(linkEntityDefinition({ ...tags, type: 'one_to_one' }, entity('invoice'), entity('tag'))).toBeNull();
  });

  it('is null when an end of the relation is unknown', () => {
    expect(linkEntityDefinition(relation('tags'), undefined, entity('tag'))).toBeNull();
    expect(linkEntityDefinition(relation('tags'), entity('invoice'), undefined)).toBeNull();
    expect(linkEntityDefinition(relation('tags'), undefined, undefined)).toBeNull();
  });

  it('is null when an entity given does not hold the key the relation names', () => {
    // ledgers' source key is invoice.number: tag has no such field
    expect(linkEntityDefinition(relation('ledgers'), entity('tag'), entity('ledger'))).toBeNull();
    // labels' target key is tag.label: ledger has no such field
    expect(linkEntityDefinition(relation('labels'), entity('tax_line'), entity('ledger'))).toBeNull();
  });

  it('is null for a many_to_many without its join table or join keys', () => {
    const tags = relation('tags');
    const { join_table: _table, ...noTable } = tags;
    const { source_join_key: _source, ...noSourceKey } = tags;
    const { target_join_key: _target, ...noTargetKey } = tags;
    expect(linkEntityDefinition(noTable, entity('invoice'), entity('tag'))).toBeNull();
    expect(linkEntityDefinition(noSourceKey, entity('invoice'), entity('tag'))).toBeNull();
    expect(linkEntityDefinition(noTargetKey, entity('invoice'), entity('tag'))).toBeNull();
  });
});
