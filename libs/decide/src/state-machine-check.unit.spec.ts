import type { AppendCommand } from '@takes/contracts';
import { checkMetaDefine, metaStateOf, withMetaItem, type MetaState } from '@takes/metadata';
import { grantAll } from './permission-grants.fixture';
import { checkRecord, type RecordCheckContext } from './record-checks';
import { stateMachineCheck } from './state-machine-check';

const NOW = '2026-11-24T10:00:00.000Z';

function define(state: MetaState, key: string, definition: object): MetaState {
  const check = checkMetaDefine(key, definition, state);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return withMetaItem(state, { key, definition: check.definition, removed: false });
}
const invoice = {
  name: 'invoice',
  primary_key: { field: 'id', type: 'string', generated: false },
  fields: [
    { name: 'id', type: 'string' },
    { name: 'status', type: 'string' },
    { name: 'total', type: 'decimal', precision: 2 },
    { name: 'payment_date', type: 'date' },
    { name: 'paid_at', type: 'timestamp' },
  ],
};
const machine = {
  id: 'lifecycle',
  entity: 'invoice',
  field: 'status',
  definition: {
    initial: 'draft',
    transitions: [
      { from: 'draft', to: 'sent', guard: 'record.total > 0' },
      { from: 'sent', to: 'paid', roles: ['accountant'], guard: 'record.payment_date != nil', actions: [{ type: 'set_field', field: 'paid_at', value: 'now' }] },
      { from: ['draft', 'sent'], to: 'void' },
    ],
  },
};
const app = define(define(metaStateOf([]), 'entity:invoice', invoice), 'state_machine:lifecycle', machine);
const granted = grantAll(app.metadata, 'invoice', ['clerk', 'accountant', 'a']);
const entity = granted.entities.get('invoice')!;

function context(roles: string[]): RecordCheckContext {
  const user = { id: 'u1', roles };
  const command: AppendCommand = { v: 1, command_id: 'c1', app: 'main', entity: 'invoice', entity_id: 'i1', op: 'put', user };
  return { command, user, entity, metadata: granted, now: NOW };
}
const clerk = context(['clerk']);
const accountant = context(['accountant']);

describe('stateMachineCheck', () => {
  it('sets the initial state on create', () => {
    expect(stateMachineCheck({ id: 'i1', total: '10.00' }, undefined, clerk)).toEqual({ ok: true, state: { id: 'i1', total: '10.00', status: 'draft' } });
  });

  it('reads a decimal stored as text as a number in the guard', () => {
    expect(stateMachineCheck({ id: 'i1', status: 'sent', total: '0.50' }, { id: 'i1', status: 'draft', total: '0.50' }, clerk)).toMatchObject({ ok: true, state: { status: 'sent', total: '0.50' } });
    expect(stateMachineCheck({ id: 'i1', status: 'sent', total: '0.00' }, { id: 'i1', status: 'draft', total: '0.00' }, clerk)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: [{ field: 'status', rule: 'state_machine', message: expect.stringContaining('blocked by guard') }] },
    });
  });

  it('refuses an illegal transition with 422 and a role not allowed with 403', () => {
    expect(stateMachineCheck({ id: 'i1', status: 'paid' }, { id: 'i1', status: 'draft' }, accountant)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', message: "Invalid transition from 'draft' to 'paid'" },
    });
    expect(stateMachineCheck({ id: 'i1', status: 'paid', payment_date: '2026-11-24' }, { id: 'i1', status: 'sent' }, clerk)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('applies set_field "now" with the store clock, normalized by the field checks after', () => {
    const result = checkRecord({ id: 'i1', status: 'paid', payment_date: '2026-11-24' }, { id: 'i1', status: 'sent' }, accountant);
    expect(result).toEqual({ ok: true, state: { id: 'i1', status: 'paid', payment_date: '2026-11-24', paid_at: NOW } });
  });

  it('leaves a write that does not touch the state field alone', () => {
    expect(stateMachineCheck({ id: 'i1', status: 'sent', total: '5.00' }, { id: 'i1', status: 'sent', total: '4.00' }, clerk)).toEqual({ ok: true, state: { id: 'i1', status: 'sent', total: '5.00' } });
  });
});
