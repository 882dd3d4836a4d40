import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { eventually, startTakes, startWebhookReceiver, type TakesProcesses, type WebhookReceiver } from '@takes/testing';

/**
 * Rocket's own examples of layers 1–3, posted as its design page (docs/rules-and-workflows.md
 * in rajeshpillai/rocket-backend) writes them, then run against records the way the page
 * describes them. The entities are the page's, with the fields its examples name.
 */
const entities = [
  { name: 'customer', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] },
  {
    name: 'invoice',
    fields: [
      { name: 'id', type: 'uuid' },
      { name: 'number', type: 'string', nullable: true },
      { name: 'status', type: 'string', nullable: true },
      { name: 'total', type: 'decimal', precision: 2, nullable: true },
      { name: 'payment_date', type: 'date', nullable: true },
      { name: 'payment_amount', type: 'decimal', precision: 2, nullable: true },
      { name: 'customer_id', type: 'uuid', nullable: true },
      { name: 'sent_at', type: 'timestamp', nullable: true },
      { name: 'paid_at', type: 'timestamp', nullable: true },
      { name: 'voided_at', type: 'timestamp', nullable: true },
    ],
  },
  { name: 'item', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid' }, { name: 'quantity', type: 'int' }, { name: 'unit_price', type: 'decimal', precision: 2 }] },
  { name: 'project', fields: [{ name: 'id', type: 'uuid' }, { name: 'start_date', type: 'date' }, { name: 'end_date', type: 'date', nullable: true }] },
];
const relations = [
  { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id' },
  { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', source_key: 'id', target_key: 'invoice_id' },
];

// Layer 1 and layer 2, as the page writes them.
const rocketRules = {
  layer1: {
    entity: 'invoice',
    hook: 'before_write',
    conditions: [
      { field: 'total', operator: 'gte', value: 0 },
      { field: 'number', operator: 'not_empty' },
    ],
    message: 'Invoice total must be non-negative and number is required',
  },
  conditionalRequired: {
    entity: 'invoice',
    hook: 'before_write',
    type: 'expression',
    expression: "record.status == 'paid' && record.payment_date == nil",
    message: 'Payment date is required when status is paid',
  },
  crossField: {
    entity: 'project',
    hook: 'before_write',
    type: 'expression',
    expression: 'record.end_date != nil && record.end_date <= record.start_date',
    message: 'End date must be after start date',
  },
  locked: {
    entity: 'invoice',
    hook: 'before_write',
    type: 'expression',
    expression: "action == 'update' && old.status == 'void'",
    message: 'Voided invoices cannot be modified',
  },
  crossEntity: {
    entity: 'customer',
    hook: 'before_delete',
    type: 'expression',
    expression: 'len(related.invoices) > 0',
    message: 'Cannot delete customer with existing invoices',
    related_load: [{ relation: 'invoices', filter: { 'status.in': ['draft', 'sent', 'paid'] } }],
  },
  roleBased: {
    entity: 'invoice',
    hook: 'before_write',
    type: 'expression',
    expression: "action == 'update' && old.status != record.status && !('admin' in user.roles)",
    message: 'Only admins can change invoice status',
  },
  computed: {
    entity: 'invoice',
    hook: 'before_write',
    type: 'computed',
    field: 'total',
    expression: "sum(related.items, 'quantity * unit_price')",
    related_load: [{ relation: 'items' }],
  },
};

// Layer 3, as the page writes it.
const rocketStateMachine = {
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
};

describe("Rocket's rule and state-machine examples, as its design page writes them", () => {
  let takes: TakesProcesses;
  let admin: string;
  let accountant: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // The state machine's webhook action names a path (/hooks/invoice-paid): it goes to this receiver.
    receiver = await startWebhookReceiver();
    takes = await startTakes('rocket_examples', { TAKES_RATE_LIMIT: '100000' }, {
      webhooksEnv: { TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1', TAKES_WEBHOOKS_BASE_URL: `http://127.0.0.1:${receiver.port}`, TAKES_WEBHOOKS_POLL: '50ms' },
    });
    admin = await takes.login();
    for (const body of entities) expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body })).status).toBe(201);
    for (const body of relations) expect((await takes.api('POST', '/api/main/_admin/relations', { token: admin, body })).status).toBe(201);
    // The computed total is posted by its own test, after the layer 1 test: a computed field is the server's, so a client's total is not read once it exists.
    for (const [name, body] of Object.entries(rocketRules).filter(([key]) => key !== 'computed')) {
      const saved = await takes.api('POST', '/api/main/_admin/rules', { token: admin, body });
      expect({ name, status: saved.status, error: saved.body.error }).toEqual({ name, status: 201, error: undefined });
    }
    for (const action of ['read', 'update']) {
      expect((await takes.api('POST', '/api/main/_admin/permissions', { token: admin, body: { entity: 'invoice', action, roles: ['accountant'] } })).status).toBe(201);
    }
    expect((await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email: 'acc@localhost', password: 'changeme-acc', roles: ['accountant'] } })).status).toBe(201);
    accountant = await takes.login('main', 'acc@localhost', 'changeme-acc');
  });
  afterAll(async () => {
    await takes?.close();
    await receiver?.close();
  });

  const messagesOf = (body: { error?: { details?: { message: string }[] } }) => (body.error?.details ?? []).map((d) => d.message);
  async function invoice(data: Record<string, unknown> = {}): Promise<string> {
    const id = randomUUID();
    const created = await takes.api('POST', '/api/main/invoice', { token: admin, body: { id, number: `INV-${id.slice(0, 6)}`, ...data } });
    expect(created.status).toBe(201);
    return id;
  }

  it('a field these rules name cannot be removed from its entity: 422 in_use naming the rule, the entity unchanged', async () => {
    const invoiceEntity = entities.find((e) => e.name === 'invoice')!;
    const without = { ...invoiceEntity, fields: invoiceEntity.fields.filter((f) => f.name !== 'payment_date') };
    const refused = await takes.api('PUT', '/api/main/_admin/entities/invoice', { token: admin, body: without });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'fields', rule: 'in_use', message: expect.stringMatching(/field payment_date cannot be removed: rule .* names it \(definition\.expression\)/) })]);
    const still = await takes.api('GET', '/api/main/_admin/entities/invoice', { token: admin });
    expect(still.body.data.definition.fields.map((f: { name: string }) => f.name)).toContain('payment_date');
  });

  it('layer 1, conditions: a negative total or an empty number is refused with the rule message, on its field', async () => {
    const refused = await takes.api('POST', '/api/main/invoice', { token: admin, body: { number: '', total: -1 } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details).toEqual([
      { field: 'total', rule: 'gte', message: 'Invoice total must be non-negative and number is required' },
      { field: 'number', rule: 'not_empty', message: 'Invoice total must be non-negative and number is required' },
    ]);
    expect((await takes.api('POST', '/api/main/invoice', { token: admin, body: { number: 'INV-ok' } })).status).toBe(201);
  });

  it('computed: total is the sum of the items, quantity × unit_price, exact in decimals; a total the client sends is not read', async () => {
    expect((await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: rocketRules.computed })).status).toBe(201);
    const id = await invoice({ total: -1 });
    for (const [quantity, unit_price] of [[2, '10.10'], [3, '0.30']] as const) {
      expect((await takes.api('POST', '/api/main/item', { token: admin, body: { invoice_id: id, quantity, unit_price } })).status).toBe(201);
    }
    const saved = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { number: 'INV-sum' } });
    expect(saved.body.data.total).toBe('21.10');
  });

  it('conditional required, cross-field and the state machine guard: paid needs a payment date and enough paid', async () => {
    const id = await invoice({ status: 'draft' });
    expect((await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'sent' } })).status).toBe(200);
    const noDate = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'paid' } });
    expect(noDate.status).toBe(422);
    expect(messagesOf(noDate.body)).toContain('Payment date is required when status is paid');

    const project = await takes.api('POST', '/api/main/project', { token: admin, body: { start_date: '2026-12-10', end_date: '2026-12-01' } });
    expect({ status: project.status, messages: messagesOf(project.body) }).toEqual({ status: 422, messages: ['End date must be after start date'] });
    expect((await takes.api('POST', '/api/main/project', { token: admin, body: { start_date: '2026-12-01', end_date: '2026-12-10' } })).status).toBe(201);
  });

  it("role-based restriction: only an admin changes an invoice's status", async () => {
    const id = await invoice({ status: 'draft' });
    const byAccountant = await takes.api('PUT', `/api/main/invoice/${id}`, { token: accountant, body: { status: 'void' } });
    expect({ status: byAccountant.status, messages: messagesOf(byAccountant.body) }).toEqual({ status: 422, messages: ['Only admins can change invoice status'] });
    // Other fields the accountant may change.
    expect((await takes.api('PUT', `/api/main/invoice/${id}`, { token: accountant, body: { number: 'INV-acc' } })).status).toBe(200);
  });

  it('cross-entity: a customer with open invoices cannot be deleted; one whose invoices are all void can', async () => {
    const busy = (await takes.api('POST', '/api/main/customer', { token: admin, body: { name: 'Busy' } })).body.data.id;
    const quiet = (await takes.api('POST', '/api/main/customer', { token: admin, body: { name: 'Quiet' } })).body.data.id;
    await invoice({ customer_id: busy, status: 'sent' });
    await invoice({ customer_id: quiet, status: 'void' });
    const refused = await takes.api('DELETE', `/api/main/customer/${busy}`, { token: admin });
    expect({ status: refused.status, messages: messagesOf(refused.body) }).toEqual({ status: 422, messages: ['Cannot delete customer with existing invoices'] });
    expect((await takes.api('DELETE', `/api/main/customer/${quiet}`, { token: admin })).status).toBe(200);
  });

  it('layer 3: the state machine as written: draft → sent → paid (calling its webhook after commit), void from two states, a voided invoice locked', async () => {
    const asWritten = await takes.api('POST', '/api/main/_admin/state-machines', { token: admin, body: rocketStateMachine });
    expect(asWritten.status).toBe(201);
    const secret = asWritten.body.data.webhook_secret as string;
    expect(secret).toMatch(/^whsec_/);

    const id = await invoice();
    expect((await takes.api('GET', `/api/main/invoice/${id}`, { token: admin })).body.data.status).toBe('draft');
    const illegal = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'paid', payment_date: '2026-12-02' } });
    expect({ status: illegal.status, messages: messagesOf(illegal.body) }).toEqual({ status: 422, messages: [expect.stringContaining("Invalid transition from 'draft' to 'paid'")] });
    const sent = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'sent' } });
    expect(sent.body.data.sent_at).toEqual(expect.any(String));
    expect((await takes.api('POST', '/api/main/item', { token: admin, body: { invoice_id: id, quantity: 1, unit_price: '50.00' } })).status).toBe(201);
    const short = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'paid', payment_date: '2026-12-02', payment_amount: '49.99' } });
    expect({ status: short.status, messages: messagesOf(short.body) }).toEqual({ status: 422, messages: [expect.stringContaining('guard')] });
    const paid = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'paid', payment_date: '2026-12-02', payment_amount: '50.00' } });
    expect(paid.body.data).toMatchObject({ status: 'paid', total: '50.00', paid_at: expect.any(String) });
    const [call] = await eventually(() => {
      expect(receiver.received('/hooks/invoice-paid')).toHaveLength(1);
      return receiver.received('/hooks/invoice-paid');
    });
    expect(call.headers['content-type']).toBe('application/json');
    expect(new Webhook(secret).verify(call.body, call.headers as Record<string, string>)).toMatchObject({
      event: 'state_machine.transition',
      entity: 'invoice',
      record: { id, status: 'paid', paid_at: paid.body.data.paid_at },
      old: { id, status: 'sent' },
      state_machine: { field: 'status', from: 'sent', to: 'paid' },
    });

    for (const from of ['draft', 'sent']) {
      const other = await invoice();
      if (from === 'sent') expect((await takes.api('PUT', `/api/main/invoice/${other}`, { token: admin, body: { status: 'sent' } })).status).toBe(200);
      const voided = await takes.api('PUT', `/api/main/invoice/${other}`, { token: admin, body: { status: 'void' } });
      expect({ from, status: voided.status, voided_at: typeof voided.body.data?.voided_at }).toEqual({ from, status: 200, voided_at: 'string' });
      const locked = await takes.api('PUT', `/api/main/invoice/${other}`, { token: admin, body: { number: 'changed' } });
      expect({ status: locked.status, messages: messagesOf(locked.body) }).toEqual({ status: 422, messages: ['Voided invoices cannot be modified'] });
    }
  });
});
