import { checkMetaDefine, metaStateOf, withMetaItem, type MetaState } from '@takes/metadata';
import { relatedLookups, relatedView } from './related-loads';
import { ruleCheck } from './rule-checks';

function define(app: MetaState, key: string, definition: object): MetaState {
  const checked = checkMetaDefine(key, definition, app);
  if (!checked.ok) throw new Error(JSON.stringify(checked.details));
  return withMetaItem(app, { key, definition: checked.definition, removed: false });
}
let app = metaStateOf([]);
app = define(app, 'entity:order', { name: 'order', fields: [{ name: 'id', type: 'uuid' }, { name: 'status', type: 'string' }] });
app = define(app, 'entity:line', { name: 'line', fields: [{ name: 'id', type: 'uuid' }, { name: 'order_id', type: 'uuid' }, { name: 'quantity', type: 'int' }, { name: 'price', type: 'decimal', precision: 2 }, { name: 'kind', type: 'string' }] });
app = define(app, 'relation:lines', { name: 'lines', type: 'one_to_many', source: 'order', target: 'line', source_key: 'id', target_key: 'order_id' });
app = define(app, 'rule:total', { id: 'total', entity: 'order', type: 'expression', definition: { expression: "sum(related.lines, 'quantity * price') > 1000", message: 'at most 1000', related_load: [{ relation: 'lines', filter: { kind: 'goods' } }] } });
app = define(app, 'rule:open', { id: 'open', entity: 'line', type: 'expression', definition: { expression: "related.lines != nil && related.lines.status == 'closed'", message: 'closed', related_load: [{ relation: 'lines' }] } });
const order = app.metadata.entities.get('order')!;
const line = app.metadata.entities.get('line')!;
const ORDER = '0190a000-0000-7000-8000-000000000001';

describe('related_load', () => {
  it('looks children up by the parent key and the parent by the child key', () => {
    expect(relatedLookups(app.metadata, order, { id: ORDER })).toEqual([{ name: 'lines', entity: 'line', field: 'order_id', value: ORDER, many: true, filter: { kind: 'goods' } }]);
    expect(relatedLookups(app.metadata, line, { order_id: ORDER })).toEqual([{ name: 'lines', entity: 'order', field: 'id', value: ORDER, many: false, filter: {} }]);
    expect(relatedLookups(app.metadata, line, {})[0].value).toBeNull();
  });

  it('rules see the filtered related rows, decimals exact', () => {
    const lookups = relatedLookups(app.metadata, order, { id: ORDER });
    const rows = [{ quantity: 3, price: '100.50', kind: 'goods' }, { quantity: 5, price: '100.00', kind: 'goods' }, { quantity: 9, price: '999.00', kind: 'service' }];
    const related = relatedView(app.metadata, lookups, new Map([['lines', rows]]));
    const context = (r: Record<string, unknown>) => ({ command: { v: 1, command_id: 'c', app: 'main', entity: 'order', entity_id: ORDER, op: 'put' as const, user: { id: 'u', roles: ['admin'] } }, user: { id: 'u', roles: ['admin'] }, entity: order, metadata: app.metadata, now: '2026-01-01T00:00:00.000Z', related: r });
    expect(ruleCheck({ id: ORDER }, { id: ORDER }, context(related)).ok).toBe(true);
    const more = relatedView(app.metadata, lookups, new Map([['lines', [...rows, { quantity: 2, price: '100.00', kind: 'goods' }]]]));
    expect(ruleCheck({ id: ORDER }, { id: ORDER }, context(more))).toMatchObject({ ok: false, error: { details: [{ message: 'at most 1000' }] } });
    const parent = relatedView(app.metadata, relatedLookups(app.metadata, line, { order_id: ORDER }), new Map([['lines', [{ id: ORDER, status: 'closed' }]]]));
    expect(parent).toEqual({ lines: { id: ORDER, status: 'closed' } });
  });
});
