import { checkMetaDefine, type MetaState } from './meta-kinds';
import { metaStateOf, withMetaItem } from './meta-state';
import { rulesOf } from './rule-kind';
import { stateMachinesOf } from './state-machine-kind';

const invoice = {
  name: 'invoice',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'total', type: 'decimal', precision: 2 },
    { name: 'status', type: 'string' },
    { name: 'sent_at', type: 'timestamp' },
  ],
};

function define(state: MetaState, key: string, definition: object): MetaState {
  const check = checkMetaDefine(key, definition, state);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return withMetaItem(state, { key, definition: check.definition, removed: false });
}
const withInvoice = define(metaStateOf([]), 'entity:invoice', invoice);

describe('the rule kind', () => {
  const rule = { id: 'r1', entity: 'invoice', hook: 'before_write', type: 'field', definition: { field: 'total', operator: 'min', value: 0, message: 'no' }, priority: 1, active: true };

  it('stores Rocket shape, normalized, and puts the compiled rule in force', () => {
    const check = checkMetaDefine('rule:r1', rule, withInvoice);
    expect(check).toEqual({ ok: true, definition: { name: 'r1', ...rule } });
    const state = define(withInvoice, 'rule:r1', rule);
    expect(rulesOf(state.metadata, 'invoice')).toMatchObject([{ id: 'r1', type: 'field', operator: 'min' }]);
    expect(JSON.parse(JSON.stringify(state.items.get('rule:r1')!.definition))).toEqual({ name: 'r1', ...rule });
  });

  it('moves definition keys written at the top level under definition', () => {
    const check = checkMetaDefine('rule:r2', { id: 'r2', entity: 'invoice', type: 'expression', expression: 'record.total > 10' }, withInvoice);
    expect(check).toMatchObject({ ok: true, definition: { hook: 'before_write', priority: 0, active: true, definition: { expression: 'record.total > 10' } } });
  });

  it('refuses a bad expression with where it is wrong', () => {
    const check = checkMetaDefine('rule:r3', { id: 'r3', entity: 'invoice', type: 'expression', definition: { expression: 'record.total >' } }, withInvoice);
    expect(check).toMatchObject({ ok: false, details: [{ field: 'expression', rule: 'expression', line: 1 }] });
  });

  it('refuses an unknown entity or field, and a related_load of a relation that does not exist', () => {
    expect(checkMetaDefine('rule:r4', { ...rule, id: 'r4', entity: 'nope' }, withInvoice)).toMatchObject({ ok: false, details: [{ field: 'entity', rule: 'exists' }] });
    expect(checkMetaDefine('rule:r4', { ...rule, id: 'r4', definition: { field: 'nope', operator: 'min', value: 1 } }, withInvoice)).toMatchObject({
      ok: false,
      details: [{ field: 'definition.field', rule: 'exists' }],
    });
    const related = { id: 'r5', entity: 'invoice', type: 'expression', definition: { expression: 'true', related_load: [{ relation: 'items' }] } };
    expect(checkMetaDefine('rule:r5', related, withInvoice)).toMatchObject({ ok: false, details: [{ field: 'definition.related_load[0].relation', rule: 'exists' }] });
  });

  it('refuses a key that is not the rule id', () => {
    expect(checkMetaDefine('rule:other', rule, withInvoice)).toMatchObject({ ok: false, details: [{ field: 'name', rule: 'mismatch' }] });
  });
});

describe('the state_machine kind', () => {
  const machine = {
    id: 'sm1',
    entity: 'invoice',
    field: 'status',
    active: true,
    definition: { initial: 'draft', transitions: [{ from: 'draft', to: 'sent', actions: [{ type: 'set_field', field: 'sent_at', value: 'now' }] }] },
  };

  it('stores Rocket shape and puts the machine in force', () => {
    expect(checkMetaDefine('state_machine:sm1', machine, withInvoice)).toEqual({ ok: true, definition: { name: 'sm1', ...machine } });
    const state = define(withInvoice, 'state_machine:sm1', machine);
    expect(stateMachinesOf(state.metadata, 'invoice')).toMatchObject([{ id: 'sm1', field: 'status', initial: 'draft' }]);
  });

  it('refuses a bad guard, an unknown state field or set_field target', () => {
    const bad = (transition: object, extra: object = {}) =>
      checkMetaDefine('state_machine:sm1', { ...machine, ...extra, definition: { initial: 'draft', transitions: [transition] } }, withInvoice);
    expect(bad({ from: 'a', to: 'b', guard: 'record.total >' })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].guard' }] });
    expect(bad({ from: 'a', to: 'b' }, { field: 'nope' })).toMatchObject({ ok: false, details: [{ field: 'field', rule: 'exists' }] });
    expect(bad({ from: 'a', to: 'b', actions: [{ type: 'set_field', field: 'nope', value: 1 }] })).toMatchObject({ ok: false, details: [{ rule: 'exists' }] });
  });

  it('webhook: a path (as Rocket writes it) or an http(s) URL without credentials, and a method a webhook may use', () => {
    const check = (action: object) => checkMetaDefine('state_machine:sm1', { ...machine, definition: { initial: 'draft', transitions: [{ from: 'draft', to: 'sent', actions: [action] }] } }, withInvoice);
    expect(check({ type: 'webhook', url: '/hooks/invoice-sent', method: 'POST' })).toMatchObject({ ok: true });
    expect(check({ type: 'webhook', url: 'https://erp.example.com/hooks/sent' })).toMatchObject({ ok: true });
    expect(check({ type: 'webhook', url: 'ftp://erp.example.com/x' })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].url', rule: 'pattern' }] });
    expect(check({ type: 'webhook', url: '//erp.example.com/x' })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].url', rule: 'pattern' }] });
    expect(check({ type: 'webhook', url: 'https://u:p@erp.example.com/x' })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].url', rule: 'pattern' }] });
    expect(check({ type: 'webhook', url: '/x', method: 'DELETE' })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].method', rule: 'enum' }] });
  });

  it('create_record: the target entity must exist, its data name only its fields, and an int key be in the data', () => {
    const withAudit = define(define(withInvoice, 'entity:audit', { name: 'audit', fields: [{ name: 'id', type: 'uuid' }, { name: 'note', type: 'string' }] }), 'entity:counter', {
      name: 'counter', primary_key: { field: 'n', type: 'int', generated: true }, fields: [{ name: 'n', type: 'int' }, { name: 'note', type: 'string' }],
    });
    const check = (action: object) => checkMetaDefine('state_machine:sm1', { ...machine, definition: { initial: 'draft', transitions: [{ from: 'draft', to: 'sent', actions: [action] }] } }, withAudit);
    expect(check({ type: 'create_record', entity: 'audit', data: { note: 'sent' } })).toMatchObject({ ok: true });
    expect(check({ type: 'create_record', entity: 'nope', data: {} })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].entity', rule: 'exists' }] });
    expect(check({ type: 'create_record', entity: 'audit', data: { note: 'x', typo: 1 } })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].data.typo', rule: 'exists' }] });
    expect(check({ type: 'create_record', entity: 'counter', data: { note: 'x' } })).toMatchObject({ ok: false, details: [{ field: 'transitions[0].actions[0].data.n', rule: 'required' }] });
    expect(check({ type: 'create_record', entity: 'counter', data: { n: 7, note: 'x' } })).toMatchObject({ ok: true });
  });
});
