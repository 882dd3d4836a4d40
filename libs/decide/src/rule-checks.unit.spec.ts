import type { AppendCommand } from '@takes/contracts';
import { checkMetaDefine, metaStateOf, withMetaItem, type MetaState } from '@takes/metadata';
import { grantAll } from './permission-grants.fixture';
import { decideRecord } from './decide-record';
import type { Decision, StreamHead } from './decision';
import type { StaleContext } from './decide-stale';
import { checkRecord, type RecordCheckContext } from './record-checks';
import { deleteRuleCheck, ruleCheck } from './rule-checks';

const NOW = '2026-11-24T10:00:00.000Z';
const user = { id: 'u1', roles: ['clerk'] };

function define(state: MetaState, key: string, definition: object): MetaState {
  const check = checkMetaDefine(key, definition, state);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return withMetaItem(state, { key, definition: check.definition, removed: false });
}
const order = {
  name: 'order',
  primary_key: { field: 'id', type: 'string', generated: false },
  fields: [
    { name: 'id', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'price', type: 'decimal', precision: 2 },
    { name: 'total', type: 'decimal', precision: 2 },
    { name: 'note', type: 'string' },
    { name: 'locked', type: 'boolean' },
  ],
};
const app = [
  ['rule:min-qty', { id: 'min-qty', entity: 'order', type: 'field', definition: { field: 'quantity', operator: 'min', value: 1, message: 'at least one' } }],
  ['rule:big', { id: 'big', entity: 'order', type: 'expression', definition: { field: 'quantity', expression: 'record.quantity * record.price > 1000', message: 'too big' } }],
  ['rule:total', { id: 'total', entity: 'order', type: 'computed', definition: { field: 'total', expression: 'record.quantity * record.price' } }],
  ['rule:keep', { id: 'keep', entity: 'order', hook: 'before_delete', type: 'expression', definition: { expression: 'record.locked == true', message: 'locked orders stay' } }],
].reduce((state, [key, definition]) => define(state, key as string, definition as object), define(metaStateOf([]), 'entity:order', order));
const granted = grantAll(app.metadata, 'order', ['clerk']);
const entity = granted.entities.get('order')!;

function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c9', app: 'main', entity: 'order', entity_id: 'o1', op: 'put', user, ...partial };
}
function context(partial: Partial<AppendCommand> = {}): RecordCheckContext {
  return { command: command(partial), user, entity, metadata: granted, now: NOW };
}

describe('ruleCheck', () => {
  it('sets a computed field, reading decimal text as an exact number', () => {
    expect(checkRecord({ id: 'o1', quantity: 3, price: '100.10' }, undefined, context({ op: 'create' }))).toEqual({
      ok: true,
      state: { id: 'o1', quantity: 3, price: '100.10', total: '300.30' },
    });
  });

  it('refuses a field rule with 422 details', () => {
    const result = ruleCheck({ id: 'o1', quantity: 0, price: '1.00' }, undefined, context());
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: [{ field: 'quantity', rule: 'min', message: 'at least one' }] } });
  });

  it('refuses an expression rule that is true (a violation, Rocket)', () => {
    const result = ruleCheck({ id: 'o1', quantity: 20, price: '100.00' }, undefined, context());
    expect(result).toMatchObject({ ok: false, error: { details: [{ field: 'quantity', rule: 'expression', message: 'too big' }] } });
  });

  it('runs before_delete rules on delete only', () => {
    expect(deleteRuleCheck({ id: 'o1', locked: true }, { id: 'o1', locked: true }, context({ op: 'delete' }))).toMatchObject({ ok: false, error: { details: [{ message: 'locked orders stay' }] } });
    expect(ruleCheck({ id: 'o1', quantity: 1, price: '1.00', locked: true }, undefined, context()).ok).toBe(true);
  });

  it('refuses a delete through decideRecord, and lets an unlocked one through', () => {
    const head = (locked: boolean): StreamHead => ({ version: 1, state: { id: 'o1', quantity: 1, price: '1.00', total: '1.00', locked }, deleted: false, lastCommitTs: NOW });
    const decide = (locked: boolean): Decision => decideRecord({ command: command({ op: 'delete' }), head: head(locked), entity, metadata: granted, now: NOW });
    expect(decide(true)).toMatchObject({ kind: 'reject', error: { code: 'VALIDATION_FAILED' } });
    expect(decide(false)).toMatchObject({ kind: 'append', events: [{ type: 'deleted' }] });
  });
});

describe('rules in a merge', () => {
  // Version 2 (another device) set the price; our offline edit on version 1 sets the quantity.
  const head: StreamHead = { version: 2, state: { id: 'o1', quantity: 1, price: '90.00', total: '90.00' }, deleted: false, lastCommitTs: NOW };
  const stale = (total: string): StaleContext => ({
    base: { version: 1, state: { id: 'o1', quantity: 1, price: '100.00', total: '100.00' }, deleted: false },
    since: [{ id: 'e2', command_id: 'c1', parent: null, type: 'updated', version: 2, base_version: 1, patch: [{ op: 'replace', path: '/price', value: '90.00' }, { op: 'replace', path: '/total', value: total }], submitted: { price: '90.00' }, submit_ts: '2026-11-24T09:00:00.000Z', device: 'd1' }],
    submitTs: '2026-11-24T09:30:00.000Z',
    branchTs: '2026-11-24T08:00:00.000Z',
  });
  const decide = (data: Record<string, unknown>) =>
    decideRecord({ command: command({ base_version: 1, device: 'd2', data }), head, entity, metadata: granted, stale: stale('90.00'), now: NOW });

  it('recomputes the computed field on the merged record and never contests it', () => {
    // The client sends its own (stale) total too: the server's value wins, uncontested.
    const decision = decide({ quantity: 5, total: '500.00' });
    expect(decision).toMatchObject({ kind: 'append', outcome: 'merged', contested: [], next: { state: { quantity: 5, price: '90.00', total: '450.00' } } });
    if (decision.kind === 'append') expect(decision.events[0].patch).toContainEqual({ op: 'replace', path: '/total', value: '450.00' });
  });

  it('shelves an edit whose merged result breaks a rule, with the refusal as its reason', () => {
    const decision = decide({ quantity: 12 });
    expect(decision).toMatchObject({
      kind: 'append',
      outcome: 'shelved',
      contested: ['/quantity'],
      events: [{ type: 'shelved', patch: [], submitted: { quantity: 12 }, reason: { code: 'VALIDATION_FAILED', details: [{ field: 'quantity', rule: 'expression', message: 'too big' }] } }],
    });
  });
});
