import { checkMetaDefine, isMetaKind, META_KINDS, metaKind, splitMetaKey, type MetaState } from './meta-kinds';
import { metaStateOf, withMetaItem } from './meta-state';

const invoice = { name: 'invoice', table: 'invoices', fields: [{ name: 'id', type: 'uuid' }, { name: 'total', type: 'int' }] };
const tag = { name: 'tag', table: 'tags', fields: [{ name: 'id', type: 'uuid' }] };
const tags = { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id' };

/** An app whose records were each defined as the store does it: checked, then stored normalized. */
function app(items: { key: string; definition: object }[]): MetaState {
  return items.reduce((state, item) => {
    const check = checkMetaDefine(item.key, item.definition, state);
    if (!check.ok) throw new Error(JSON.stringify(check));
    return withMetaItem(state, { key: item.key, definition: check.definition, removed: false });
  }, metaStateOf([]));
}
const invoices = app([
  { key: 'entity:invoice', definition: invoice },
  { key: 'entity:tag', definition: tag },
  { key: 'relation:tags', definition: tags },
]);

describe('the registry of metadata kinds', () => {
  it('knows entity, relation, rule, state_machine, permission, webhook and workflow; keys are <kind>:<name>', () => {
    expect(META_KINDS).toEqual(['entity', 'relation', 'rule', 'state_machine', 'permission', 'webhook', 'workflow']);
    expect(isMetaKind('entity')).toBe(true);
    expect(isMetaKind('toString')).toBe(false);
    expect(splitMetaKey('relation:tags')).toEqual({ kind: 'relation', name: 'tags' });
    expect(splitMetaKey('nocolon')).toBeNull();
  });

  it('folds records in position order into the definitions in force', () => {
    expect([...invoices.metadata.entities.keys()]).toEqual(['invoice', 'tag']);
    expect(invoices.metadata.relations.get('tags')).toMatchObject({ target_key: 'id', on_delete: 'detach' });
    const stored = (key: string, position: number) => ({ ...invoices.items.get(key)!, position });
    const loaded = metaStateOf([stored('relation:tags', 9), stored('entity:tag', 2), stored('entity:invoice', 1)]);
    expect([...loaded.metadata.relations.keys()]).toEqual(['tags']);
    expect(loaded.metadata.position).toBe(9);
    const removed = withMetaItem(invoices, { key: 'entity:tag', definition: tag, removed: true });
    expect(removed.metadata.relations.has('tags')).toBe(false);
    expect(removed.items.get('entity:tag')?.removed).toBe(true);
  });

  it('a new definition that parses and clashes with nothing is stored normalized', () => {
    const check = checkMetaDefine('entity:receipt', { name: 'receipt', fields: [{ name: 'id', type: 'uuid' }] }, invoices);
    expect(check).toMatchObject({ ok: true, definition: { name: 'receipt', table: 'receipt', history: true } });
  });

  it('refuses a definition that does not parse, or is not named as its key', () => {
    expect(checkMetaDefine('entity:bad', { name: 'Bad Name', fields: [] }, invoices)).toMatchObject({ ok: false, message: 'invalid entity definition' });
    expect(checkMetaDefine('entity:other', invoice, invoices)).toMatchObject({ ok: false, details: [{ field: 'name', rule: 'mismatch' }] });
    expect(checkMetaDefine('relation:labels', { ...tags, name: 'labels', target: 'nowhere' }, invoices)).toMatchObject({ ok: false });
  });

  it('refuses a table another entity or relation owns, removed ones included', () => {
    const clash = checkMetaDefine('entity:receipt', { name: 'receipt', table: 'invoice_tags', fields: [] }, invoices);
    expect(clash).toMatchObject({ ok: false, message: 'invalid entity change', details: [{ field: 'table', rule: 'conflict' }] });
    const gone = withMetaItem(invoices, { key: 'entity:tag', definition: tag, removed: true });
    expect(checkMetaDefine('entity:receipt', { name: 'receipt', table: 'tags', fields: [] }, gone)).toMatchObject({ ok: false });
    expect(checkMetaDefine('entity:invoice', invoice, invoices)).toMatchObject({ ok: true });
  });

  it('refuses an entity change entityChanges refuses (a field type), but not one after its removal', () => {
    const retyped = { ...invoice, fields: [{ name: 'id', type: 'uuid' }, { name: 'total', type: 'string' }] };
    expect(checkMetaDefine('entity:invoice', retyped, invoices)).toMatchObject({ ok: false, details: [{ field: 'fields[1].type', rule: 'immutable' }] });
    const gone = withMetaItem(invoices, { key: 'entity:invoice', definition: invoice, removed: true });
    expect(checkMetaDefine('entity:invoice', retyped, gone)).toMatchObject({ ok: true });
  });

  it('a many_to_many keeps its shape, even defined again after its removal', () => {
    const reshaped = { ...tags, join_table: 'invoice_tags_2' };
    expect(checkMetaDefine('relation:tags', reshaped, invoices)).toMatchObject({ ok: false, details: [{ field: 'join_table', rule: 'immutable' }] });
    const gone = withMetaItem(invoices, { key: 'relation:tags', definition: tags, removed: true });
    expect(checkMetaDefine('relation:tags', reshaped, gone)).toMatchObject({ ok: false });
    expect(checkMetaDefine('relation:tags', { ...tags, write_mode: 'replace' }, invoices)).toMatchObject({ ok: true });
  });

  it('stores a kind this build does not know as sent', () => {
    expect(checkMetaDefine('ui_config:w1', { entity: 'invoice' }, invoices)).toEqual({ ok: true, definition: { entity: 'invoice' } });
  });

  it('each kind parses and checks on its own, for the admin API', () => {
    const parsed = metaKind('relation').parse(tags, invoices.metadata);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
    expect(metaKind('relation').changeProblems(parsed.value, invoices)).toEqual([]);
  });
});
