import { checkTransition, findTransition } from './check-transition';
import { parseStateMachine, StateMachine } from './state-machine-definition';

const NOW = '2025-03-04T05:06:07.000Z';

function machine(json: Record<string, unknown>): StateMachine {
  const parsed = parseStateMachine(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}

/** Rocket's testStateMachine() in state_machine_test.go. */
const rocketTest = machine({
  id: 'sm-1',
  entity: 'invoice',
  field: 'status',
  active: true,
  definition: {
    initial: 'draft',
    transitions: [
      { from: ['draft'], to: 'sent', guard: 'record.total > 0', actions: [{ type: 'set_field', field: 'sent_at', value: 'now' }] },
      { from: ['sent'], to: 'paid', actions: [{ type: 'set_field', field: 'paid_at', value: 'now' }] },
      { from: ['draft', 'sent'], to: 'void', actions: [] },
    ],
  },
});

describe("Rocket's state_machine_test.go, ported", () => {
  it('FindTransition', () => {
    expect(findTransition(rocketTest, 'draft', 'sent')?.to).toBe('sent');
    expect(findTransition(rocketTest, 'sent', 'paid')).toBeDefined();
    expect(findTransition(rocketTest, 'draft', 'void')).toBeDefined();
    expect(findTransition(rocketTest, 'sent', 'void')).toBeDefined();
    expect(findTransition(rocketTest, 'draft', 'paid')).toBeUndefined();
    expect(findTransition(rocketTest, 'void', 'draft')).toBeUndefined();
  });

  it('EvaluateGuard: allows when true, blocks at 0 and below', () => {
    for (const [total, allowed] of [[100, true], [0, false], [-5, false]] as const) {
      const outcome = checkTransition(rocketTest, { status: 'draft', total }, { status: 'sent', total }, { now: NOW });
      expect(outcome.kind === 'allowed').toBe(allowed);
    }
  });

  it('ExecuteSetFieldAction: "now" becomes the timestamp, other values are set as they are', () => {
    const sm = machine({
      entity: 'invoice',
      field: 'status',
      transitions: [{ from: 'draft', to: 'sent', actions: [{ type: 'set_field', field: 'sent_at', value: 'now' }, { type: 'set_field', field: 'priority', value: 'high' }] }],
    });
    const outcome = checkTransition(sm, { status: 'draft' }, { status: 'sent' }, { now: NOW });
    expect(outcome).toMatchObject({ kind: 'allowed', record: { status: 'sent', sent_at: NOW, priority: 'high' } });
    if (outcome.kind === 'allowed') expect(outcome.record.sent_at).toContain('T');
  });

  it('valid transition sets sent_at', () => {
    const outcome = checkTransition(rocketTest, { status: 'draft', total: 100 }, { status: 'sent', total: 100 }, { now: NOW });
    expect(outcome).toMatchObject({ kind: 'allowed', from: 'draft', to: 'sent', record: { sent_at: NOW }, actions: [] });
  });

  it('invalid transition', () => {
    expect(checkTransition(rocketTest, { status: 'draft' }, { status: 'paid' }, { now: NOW })).toEqual({
      kind: 'refused',
      status: 422,
      details: [{ field: 'status', rule: 'state_machine', message: "Invalid transition from 'draft' to 'paid'" }],
    });
  });

  it('guard failure', () => {
    const outcome = checkTransition(rocketTest, { status: 'draft', total: 0 }, { status: 'sent', total: 0 }, { now: NOW });
    expect(outcome).toMatchObject({ kind: 'refused', status: 422, details: [{ message: expect.stringContaining('blocked by guard') }] });
    if (outcome.kind === 'refused') expect(outcome.details[0].message).toContain('record.total > 0');
  });

  it('create with the initial state', () => {
    expect(checkTransition(rocketTest, null, { status: 'draft' }, { now: NOW })).toEqual({ kind: 'initial', record: { status: 'draft' } });
  });

  it('create with another state', () => {
    expect(checkTransition(rocketTest, null, { status: 'sent' }, { now: NOW })).toMatchObject({
      kind: 'refused',
      status: 422,
      details: [{ message: "Initial state must be 'draft', got 'sent'" }],
    });
  });

  it('no state change', () => {
    expect(checkTransition(rocketTest, { status: 'draft' }, { status: 'draft', total: 50 }, { now: NOW })).toEqual({ kind: 'unchanged', record: { status: 'draft', total: 50 } });
  });

  it('no state field in the write', () => {
    expect(checkTransition(rocketTest, { status: 'draft' }, { total: 100 }, { now: NOW }).kind).toBe('unchanged');
  });
});

describe('beyond Rocket Go', () => {
  it('sets the initial state on a create that leaves the field out', () => {
    expect(checkTransition(rocketTest, null, { total: 5 }, { now: NOW })).toEqual({ kind: 'initial', record: { total: 5, status: 'draft' } });
  });

  it('refuses a role that may not make the transition with 403', () => {
    const sm = machine({ entity: 'invoice', field: 'status', transitions: [{ from: 'draft', to: 'void', roles: ['admin'] }] });
    expect(checkTransition(sm, { status: 'draft' }, { status: 'void' }, { now: NOW, user: { id: 'u', roles: ['accountant'] } })).toMatchObject({ kind: 'refused', status: 403 });
    expect(checkTransition(sm, { status: 'draft' }, { status: 'void' }, { now: NOW })).toMatchObject({ kind: 'refused', status: 403 });
    expect(checkTransition(sm, { status: 'draft' }, { status: 'void' }, { now: NOW, user: { id: 'u', roles: ['admin'] } }).kind).toBe('allowed');
  });

  it('checks roles before the guard', () => {
    const sm = machine({ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', roles: ['admin'], guard: 'false' }] });
    expect(checkTransition(sm, { status: 'a' }, { status: 'b' }, { now: NOW })).toMatchObject({ status: 403 });
  });

  it('reports a guard that cannot run', () => {
    const sm = machine({ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', guard: 'record.total > 0' }] });
    expect(checkTransition(sm, { status: 'a' }, { status: 'b' }, { now: NOW })).toMatchObject({ kind: 'refused', status: 422, details: [{ message: expect.stringMatching(/^Guard evaluation error/) }] });
  });

  it('refuses a guard that is not a boolean, as Rocket', () => {
    const sm = machine({ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', guard: 'record.total' }] });
    expect(checkTransition(sm, { status: 'a' }, { status: 'b', total: 1 }, { now: NOW })).toMatchObject({ details: [{ message: 'Guard evaluation error: guard did not return bool' }] });
  });

  it('returns create_record, webhook and send_event for the shell, in order', () => {
    const sm = machine({
      entity: 'invoice',
      field: 'status',
      transitions: [
        {
          from: 'sent',
          to: 'paid',
          actions: [
            { type: 'create_record', entity: 'audit', data: { note: 'paid' } },
            { type: 'set_field', field: 'paid_at', value: 'now' },
            { type: 'webhook', url: '/hooks/invoice-paid' },
            { type: 'send_event', event: 'invoice_paid' },
          ],
        },
      ],
    });
    expect(checkTransition(sm, { status: 'sent' }, { status: 'paid' }, { now: NOW })).toMatchObject({
      kind: 'allowed',
      record: { status: 'paid', paid_at: NOW },
      actions: [
        { type: 'create_record', entity: 'audit', data: { note: 'paid' } },
        { type: 'webhook', url: '/hooks/invoice-paid', method: 'POST' },
        { type: 'send_event', event: 'invoice_paid' },
      ],
    });
  });

  it('leaves every write alone when inactive', () => {
    const sm = { ...rocketTest, active: false };
    expect(checkTransition(sm, { status: 'draft' }, { status: 'paid' }, { now: NOW }).kind).toBe('unchanged');
  });

  it('reads the old state of a record that had none as empty', () => {
    expect(checkTransition(rocketTest, {}, { status: 'sent' }, { now: NOW })).toMatchObject({ details: [{ message: "Invalid transition from '' to 'sent'" }] });
  });
});

describe("Rocket's invoice state machine from its design page, as written", () => {
  const invoice = machine({
    entity: 'invoice',
    field: 'status',
    initial: 'draft',
    transitions: [
      { from: 'draft', to: 'sent', roles: ['admin', 'accountant'], guard: null, actions: [{ type: 'set_field', field: 'sent_at', value: 'now' }] },
      {
        from: 'sent',
        to: 'paid',
        roles: ['admin', 'accountant'],
        guard: 'record.payment_date != nil && record.payment_amount >= record.total',
        actions: [
          { type: 'set_field', field: 'paid_at', value: 'now' },
          { type: 'webhook', url: '/hooks/invoice-paid', method: 'POST' },
        ],
      },
      { from: ['draft', 'sent'], to: 'void', roles: ['admin'], guard: null, actions: [{ type: 'set_field', field: 'voided_at', value: 'now' }] },
    ],
  });
  const accountant = { now: NOW, user: { id: 'u1', roles: ['accountant'] } };
  const admin = { now: NOW, user: { id: 'u2', roles: ['admin'] } };

  it('draft → sent → paid', () => {
    const sent = checkTransition(invoice, { status: 'draft', total: 100 }, { status: 'sent', total: 100 }, accountant);
    expect(sent).toMatchObject({ kind: 'allowed', record: { sent_at: NOW } });
    const paid = checkTransition(invoice, { status: 'sent', total: 100 }, { status: 'paid', total: 100, payment_date: '2025-03-04', payment_amount: 100 }, accountant);
    expect(paid).toMatchObject({ kind: 'allowed', record: { paid_at: NOW }, actions: [{ type: 'webhook', url: '/hooks/invoice-paid', method: 'POST' }] });
  });

  it('sent → paid without a payment date is blocked by the guard', () => {
    expect(checkTransition(invoice, { status: 'sent', total: 100 }, { status: 'paid', total: 100 }, accountant)).toMatchObject({ kind: 'refused', status: 422 });
  });

  it('draft → paid is illegal', () => {
    expect(checkTransition(invoice, { status: 'draft' }, { status: 'paid' }, admin)).toMatchObject({ status: 422, details: [{ message: "Invalid transition from 'draft' to 'paid'" }] });
  });

  it('void from two states, for admins only', () => {
    for (const from of ['draft', 'sent']) {
      expect(checkTransition(invoice, { status: from }, { status: 'void' }, admin)).toMatchObject({ kind: 'allowed', record: { voided_at: NOW } });
      expect(checkTransition(invoice, { status: from }, { status: 'void' }, accountant)).toMatchObject({ status: 403 });
    }
  });
});

describe('parseStateMachine refusals', () => {
  it.each([
    [{ field: 'status', transitions: [] }, 'entity'],
    [{ entity: 'invoice', transitions: [] }, 'field'],
    [{ entity: 'invoice', field: 'status' }, 'transitions'],
    [{ entity: 'invoice', field: 'status', transitions: [{ to: 'b' }] }, 'transitions[0].from'],
    [{ entity: 'invoice', field: 'status', transitions: [{ from: [], to: 'b' }] }, 'transitions[0].from'],
    [{ entity: 'invoice', field: 'status', transitions: [{ from: 'a' }] }, 'transitions[0].to'],
    [{ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', guard: 'record.total >' }] }, 'transitions[0].guard'],
    [{ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', roles: [1] }] }, 'transitions[0].roles'],
    [{ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', actions: [{ type: 'delete_everything' }] }] }, 'transitions[0].actions[0]'],
    [{ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', actions: [{ type: 'set_field' }] }] }, 'transitions[0].actions[0]'],
  ])('%j is refused on %s', (json, field) => {
    const parsed = parseStateMachine(json);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.details.map((d) => d.field)).toContain(field);
  });

  it('gives a bad guard with its line and column', () => {
    const parsed = parseStateMachine({ entity: 'invoice', field: 'status', transitions: [{ from: 'a', to: 'b', guard: 'record.total >' }] });
    expect(parsed).toMatchObject({ ok: false, details: [{ rule: 'expression', line: 1, column: 15 }] });
  });
});
