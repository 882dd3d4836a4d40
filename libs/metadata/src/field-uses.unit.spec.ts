import { checkMetaDefine } from './meta-kinds';
import { metaStateOf, withMetaItem } from './meta-state';
import type { MetaState } from './meta-kinds';

/** Issue 13: a field that a rule, state machine, permission or relation names cannot be removed from its entity. */
function define(state: MetaState, key: string, definition: object): MetaState {
  const check = checkMetaDefine(key, definition, state);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return withMetaItem(state, { key, definition: check.definition, removed: false });
}
const fields = ['id', 'status', 'total', 'notes', 'region', 'paid_at', 'parent_id', 'spare'];
const invoice = { name: 'invoice', fields: fields.map((name) => ({ name, type: name === 'id' || name === 'parent_id' ? 'uuid' : 'string', nullable: name !== 'id' })) };
const audit = { name: 'audit', fields: [{ name: 'id', type: 'uuid' }, { name: 'note', type: 'string' }] };
let app = define(define(metaStateOf([]), 'entity:invoice', invoice), 'entity:audit', audit);
app = define(app, 'rule:r1', { id: 'r1', entity: 'invoice', type: 'field', definition: { field: 'total', operator: 'min_length', value: 1 } });
app = define(app, 'rule:r2', { id: 'r2', entity: 'invoice', type: 'expression', definition: { expression: "record.notes == 'x' && old.status != nil" } });
app = define(app, 'state_machine:sm', {
  id: 'sm', entity: 'invoice', field: 'status',
  definition: { initial: 'draft', transitions: [{ from: 'draft', to: 'paid', guard: 'record.total != nil', actions: [{ type: 'set_field', field: 'paid_at', value: 'now' }, { type: 'create_record', entity: 'audit', data: { note: 'paid' } }] }] },
});
app = define(app, 'permission:p1', { id: 'p1', entity: 'invoice', action: 'read', roles: ['crew'], conditions: [{ field: 'region', operator: 'eq', value: 'north' }] });
app = define(app, 'relation:children', { name: 'children', type: 'one_to_many', source: 'invoice', target: 'invoice', source_key: 'id', target_key: 'parent_id' });

function without(entity: { name: string; fields: { name: string }[] }, ...names: string[]) {
  return checkMetaDefine(`entity:${entity.name}`, { ...entity, fields: entity.fields.filter((f) => !names.includes(f.name)) }, app);
}
const messages = (check: ReturnType<typeof without>) => (check.ok ? [] : check.details.filter((d) => d.rule === 'in_use').map((d) => d.message));

describe('removing a field that definitions name', () => {
  it('names each definition that uses the field, and where', () => {
    expect(messages(without(invoice, 'total'))).toEqual([
      expect.stringMatching(/field total cannot be removed: rule r1 names it \(definition\.field\)/),
      expect.stringMatching(/state machine sm names it \(transitions\[0\]\.guard\)/),
    ]);
    expect(messages(without(invoice, 'notes'))).toEqual([expect.stringContaining('rule r2 names it (definition.expression)')]);
    expect(messages(without(invoice, 'status'))).toEqual([expect.stringContaining('rule r2'), expect.stringContaining('state machine sm names it (field)')]);
    expect(messages(without(invoice, 'paid_at'))).toEqual([expect.stringContaining('(transitions[0].actions[0].field)')]);
    expect(messages(without(invoice, 'region'))).toEqual([expect.stringContaining('permission p1 names it (conditions[0].field)')]);
    expect(messages(without(invoice, 'parent_id'))).toEqual([expect.stringContaining('relation children names it (target_key)')]);
    expect(messages(without(audit, 'note'))).toEqual([expect.stringContaining('state machine sm names it (transitions[0].actions[1].data.note)')]);
  });

  it('a field nothing names is removed as before', () => {
    expect(without(invoice, 'spare')).toMatchObject({ ok: true });
  });
});
