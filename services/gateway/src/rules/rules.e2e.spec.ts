import { randomUUID } from 'node:crypto';
import type { TakesEvent } from '@takes/contracts';
import type { FieldHistory } from '@takes/merge';
import { eventually, startTakes, type TakesProcesses } from '@takes/testing';

/** Rocket's invoice, with a computed total. */
const invoiceEntity = {
  name: 'invoice',
  table: 'invoices',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'status', type: 'string', nullable: true },
    { name: 'quantity', type: 'int', nullable: true },
    { name: 'price', type: 'decimal', precision: 2, nullable: true },
    { name: 'total', type: 'decimal', precision: 2, nullable: true },
    { name: 'payment_date', type: 'date', nullable: true },
    { name: 'paid_at', type: 'timestamp', nullable: true },
  ],
};
const rules = [
  { entity: 'invoice', hook: 'before_write', type: 'field', definition: { field: 'quantity', operator: 'min', value: 1, message: 'quantity must be at least 1' }, priority: 0, active: true },
  { entity: 'invoice', hook: 'before_write', type: 'expression', definition: { field: 'price', expression: 'record.quantity * record.price > 10000', message: 'an invoice is at most 10000' }, priority: 1, active: true },
  { entity: 'invoice', hook: 'before_write', type: 'computed', definition: { field: 'total', expression: 'record.quantity * record.price' }, priority: 0, active: true },
];
const lifecycle = {
  entity: 'invoice',
  field: 'status',
  active: true,
  definition: {
    initial: 'draft',
    transitions: [
      { from: 'draft', to: 'sent' },
      { from: 'sent', to: 'paid', roles: ['accountant'], guard: 'record.payment_date != nil', actions: [{ type: 'set_field', field: 'paid_at', value: 'now' }] },
      { from: ['draft', 'sent'], to: 'void' },
    ],
  },
};

describe('rules and state machines over HTTP (all services as processes)', () => {
  let takes: TakesProcesses;
  let admin: string;
  let accountant: string;

  beforeAll(async () => {
    takes = await startTakes('rules_e2e', { TAKES_RATE_LIMIT: '100000' });
    admin = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: invoiceEntity })).status).toBe(201);
    for (const rule of rules) expect((await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: rule })).status).toBe(201);
    expect((await takes.api('POST', '/api/main/_admin/state-machines', { token: admin, body: lifecycle })).status).toBe(201);
    // The accountant may read and update invoices (Rocket's whitelist); the state machine's roles decide the rest.
    for (const action of ['read', 'update']) {
      expect((await takes.api('POST', '/api/main/_admin/permissions', { token: admin, body: { entity: 'invoice', action, roles: ['accountant'] } })).status).toBe(201);
    }
    const user = await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email: 'acc@localhost', password: 'changeme-acc', roles: ['accountant'] } });
    expect(user.status).toBe(201);
    accountant = await takes.login('main', 'acc@localhost', 'changeme-acc');
  });
  afterAll(() => takes.close());

  async function eventsOf(id: string): Promise<TakesEvent[]> {
    return (await takes.api<{ data: TakesEvent[] }>('GET', `/api/main/invoice/${id}/events`, { token: admin })).body.data;
  }
  async function create(data: object = { quantity: 2, price: '100.00' }): Promise<string> {
    const id = randomUUID();
    const created = await takes.api('POST', '/api/main/invoice', { token: admin, body: { id, ...data } });
    expect(created.status).toBe(201);
    return id;
  }

  it('lists, gets, redefines and removes rules and state machines in Rocket shape, admin only', async () => {
    const listed = await takes.api('GET', '/api/main/_admin/rules', { token: admin });
    expect(listed.body.data).toHaveLength(3);
    const [first] = listed.body.data;
    expect(first).toEqual({ id: expect.any(String), ...rules[0], created_at: expect.any(String), updated_at: expect.any(String) });
    expect((await takes.api('GET', `/api/main/_admin/rules/${first.id}`, { token: admin })).body.data).toMatchObject({ id: first.id, type: 'field' });
    const machines = await takes.api('GET', '/api/main/_admin/state-machines', { token: admin });
    expect(machines.body.data).toMatchObject([{ id: expect.any(String), ...lifecycle }]);

    const extra = await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: { entity: 'invoice', type: 'field', definition: { field: 'quantity', operator: 'max', value: 999 } } });
    expect(extra.body.data).toMatchObject({ id: expect.any(String), hook: 'before_write', priority: 0, active: true });
    const put = await takes.api('PUT', `/api/main/_admin/rules/${extra.body.data.id}`, { token: admin, body: { entity: 'invoice', type: 'field', definition: { field: 'quantity', operator: 'max', value: 500 } } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ id: extra.body.data.id, definition: { value: 500 } });
    const removed = await takes.api('DELETE', `/api/main/_admin/rules/${extra.body.data.id}`, { token: admin });
    expect(removed.body).toEqual({ data: { id: extra.body.data.id, deleted: true } });
    expect((await takes.api('GET', `/api/main/_admin/rules/${extra.body.data.id}`, { token: admin })).status).toBe(404);

    const user = await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email: 'clerk@localhost', password: 'changeme-clerk', roles: ['clerk'] } });
    expect(user.status).toBe(201);
    const clerk = await takes.login('main', 'clerk@localhost', 'changeme-clerk');
    expect((await takes.api('GET', '/api/main/_admin/rules', { token: clerk })).status).toBe(403);
  });

  it('refuses a bad rule or guard at save with 422 and where it is wrong', async () => {
    const bad = await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: { entity: 'invoice', type: 'expression', definition: { expression: 'record.total >' } } });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'expression', line: 1, column: expect.any(Number) }] });
    const unknownField = await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: { entity: 'invoice', type: 'field', definition: { field: 'nope', operator: 'min', value: 1 } } });
    expect(unknownField.status).toBe(422);
    const badGuard = await takes.api('POST', '/api/main/_admin/state-machines', { token: admin, body: { ...lifecycle, definition: { transitions: [{ from: 'a', to: 'b', guard: '(' }] } } });
    expect(badGuard.status).toBe(422);
    expect((await takes.api('GET', '/api/main/_admin/rules', { token: admin })).body.data).toHaveLength(3);
  });

  it('sets the initial state and the computed total on create and on update', async () => {
    const id = await create({ quantity: 3, price: '100.10' });
    const got = await takes.api('GET', `/api/main/invoice/${id}`, { token: admin });
    expect(got.body.data).toMatchObject({ status: 'draft', total: '300.30' });
    const put = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { quantity: 4, total: '1.00' } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ quantity: 4, total: '400.40' });
  });

  it('refuses a field rule and an expression rule with 422 details, appending nothing', async () => {
    const id = await create();
    const before = (await eventsOf(id)).length;
    const zero = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { quantity: 0 } });
    expect(zero.status).toBe(422);
    expect(zero.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'quantity', rule: 'min', message: 'quantity must be at least 1' }] });
    const big = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { quantity: 200 } });
    expect(big.status).toBe(422);
    expect(big.body.error.details).toEqual([{ field: 'price', rule: 'expression', message: 'an invoice is at most 10000' }]);
    const creating = await takes.api('POST', '/api/main/invoice', { token: admin, body: { id: randomUUID(), quantity: 0, price: '1.00' } });
    expect(creating.status).toBe(422);
    expect((await eventsOf(id)).length).toBe(before);
  });

  it("runs Rocket's invoice lifecycle: draft → sent → paid, guard, role, set_field now", async () => {
    const id = await create();
    const illegal = await takes.api('PUT', `/api/main/invoice/${id}`, { token: accountant, body: { status: 'paid', payment_date: '2026-11-24' } });
    expect(illegal.status).toBe(422);
    expect(illegal.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'status', message: "Invalid transition from 'draft' to 'paid'" }] });

    expect((await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'sent' } })).status).toBe(200);
    const count = (await eventsOf(id)).length;
    const wrongRole = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { status: 'paid', payment_date: '2026-11-24' } });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body.error.code).toBe('FORBIDDEN');
    const noDate = await takes.api('PUT', `/api/main/invoice/${id}`, { token: accountant, body: { status: 'paid' } });
    expect(noDate.status).toBe(422);
    expect(noDate.body.error.details[0].message).toContain('blocked by guard: record.payment_date != nil');
    expect((await eventsOf(id)).length).toBe(count);

    const paid = await takes.api('PUT', `/api/main/invoice/${id}`, { token: accountant, body: { status: 'paid', payment_date: '2026-11-24' } });
    expect(paid.status).toBe(200);
    const events = await eventsOf(id);
    const last = events[events.length - 1];
    expect(paid.body.data).toMatchObject({ status: 'paid', paid_at: expect.any(String) });
    // "now" is the store's clock for the write, read in the append transaction just before its commit.
    const paidAt = Date.parse(paid.body.data.paid_at);
    expect(paidAt).toBeLessThanOrEqual(Date.parse(last.commit_ts));
    expect(paidAt).toBeGreaterThan(Date.parse(events[events.length - 2].commit_ts));
  });

  it('voids from draft and from sent, not from paid', async () => {
    const draft = await create();
    expect((await takes.api('PUT', `/api/main/invoice/${draft}`, { token: admin, body: { status: 'void' } })).body.data).toMatchObject({ status: 'void' });
    const sent = await create();
    await takes.api('PUT', `/api/main/invoice/${sent}`, { token: admin, body: { status: 'sent' } });
    expect((await takes.api('PUT', `/api/main/invoice/${sent}`, { token: admin, body: { status: 'void' } })).body.data).toMatchObject({ status: 'void' });
    expect((await takes.api('PUT', `/api/main/invoice/${sent}`, { token: admin, body: { status: 'draft' } })).status).toBe(422);
  });

  it('shelves an offline edit whose merged result breaks a rule, with its reason; both values stay takes and it is up for review', async () => {
    const id = await create({ quantity: 2, price: '100.00' });
    // Device B, online, raises the quantity (2 × 100 → 50 × 100 = 5000: allowed).
    const online = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { quantity: 50 }, headers: { 'If-Match': '"1"', 'X-Takes-Device': 'phone-B' } });
    expect(online.status).toBe(200);
    // Device A, offline on version 1, raises the price (2 × 1000 = 2000 alone; 50 × 1000 merged).
    const offline = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { price: '1000.00' }, headers: { 'If-Match': '"1"', 'X-Takes-Device': 'tablet-A' } });
    expect(offline.status).toBe(200);
    expect(offline.body).toMatchObject({ data: { quantity: 50, price: '100.00', total: '5000.00' }, meta: { outcome: 'shelved', version: 3 } });

    const shelved = (await eventsOf(id)).find((event) => event.type === 'shelved')!;
    expect(shelved).toMatchObject({
      submitted: { price: '1000.00' },
      contested: ['/price'],
      reason: { code: 'VALIDATION_FAILED', details: [{ field: 'price', rule: 'expression', message: 'an invoice is at most 10000' }] },
    });
    const history: FieldHistory[] = (await takes.api('GET', `/api/main/invoice/${id}/history`, { token: admin })).body.data;
    expect(history.find((h) => h.field === '/price')!.takes.map((t) => t.value)).toEqual(expect.arrayContaining(['100.00', '1000.00']));
    expect(history.find((h) => h.field === '/quantity')!.takes.map((t) => t.value)).toEqual(expect.arrayContaining([2, 50]));
    await eventually(async () => {
      const queue = await takes.api('GET', '/api/main/_conflicts?entity=invoice', { token: admin });
      expect(queue.body.data.find((r: { id: string }) => r.id === id)).toMatchObject({ fields: ['/price'] });
    });
  });

  it('recomputes the total of a merge and never contests it', async () => {
    const id = await create({ quantity: 2, price: '100.00' });
    await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { quantity: 3 }, headers: { 'If-Match': '"1"', 'X-Takes-Device': 'phone-B' } });
    // The offline device sends its own (stale) total too.
    const merged = await takes.api('PUT', `/api/main/invoice/${id}`, { token: admin, body: { price: '50.00', total: '100.00' }, headers: { 'If-Match': '"1"', 'X-Takes-Device': 'tablet-A' } });
    expect(merged.body).toMatchObject({ data: { quantity: 3, price: '50.00', total: '150.00' }, meta: { outcome: 'merged', contested: [] } });
  });

  it("a transition's send_event action appends a signaled event after the write's own, in the same commit, published on JetStream", async () => {
    const ticket = { name: 'ticket', table: 'tickets', fields: [{ name: 'id', type: 'uuid' }, { name: 'status', type: 'string', nullable: true }] };
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: ticket })).status).toBe(201);
    const machine = { entity: 'ticket', field: 'status', definition: { initial: 'open', transitions: [{ from: 'open', to: 'closed', actions: [{ type: 'send_event', event: 'ticket.closed' }] }] } };
    expect((await takes.api('POST', '/api/main/_admin/state-machines', { token: admin, body: machine })).status).toBe(201);
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/ticket', { token: admin, body: { id } })).body.data.status).toBe('open');
    const closed = await takes.api('PUT', `/api/main/ticket/${id}`, { token: admin, body: { status: 'closed' } });
    expect(closed.status).toBe(200);
    expect(closed.body.meta.version).toBe(3);
    expect(closed.headers.get('etag')).toBe('"3"');
    const events = (await takes.api<{ data: TakesEvent[] }>('GET', `/api/main/ticket/${id}/events`, { token: admin })).body.data;
    expect(events.map((e) => [e.type, e.version, e.signal ?? null])).toEqual([['created', 1, null], ['updated', 2, null], ['signaled', 3, 'ticket.closed']]);
    expect(events[2]).toMatchObject({ patch: [], submitted: {}, commit_ts: events[1].commit_ts });
    await eventually(async () => {
      const published = (await takes.stream.messages()).filter((m) => m.subject === `${takes.stream.prefix}evt.main.ticket.signaled`);
      expect(published.map((m) => m.body)).toMatchObject([{ entity_id: id, signal: 'ticket.closed', version: 3 }]);
    });
    // The read table and a client's next write follow the version on.
    expect((await takes.api('GET', `/api/main/ticket/${id}`, { token: admin })).headers.get('etag')).toBe('"3"');
    expect((await takes.api('PUT', `/api/main/ticket/${id}`, { token: admin, body: { status: 'closed' }, headers: { 'if-match': '3' } })).status).toBe(200);
  });

  it("a transition's create_record action creates its record in the same command: atomic, once per command, refused whole when the record is", async () => {
    const task = { name: 'task', table: 'tasks', fields: [{ name: 'id', type: 'uuid' }, { name: 'status', type: 'string', nullable: true }] };
    const audit = { name: 'audit', table: 'audits', fields: [{ name: 'id', type: 'uuid' }, { name: 'note', type: 'string' }, { name: 'level', type: 'int', nullable: true }] };
    for (const body of [task, audit]) expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body })).status).toBe(201);
    const atMostThree = { entity: 'audit', type: 'field', definition: { field: 'level', operator: 'max', value: 3, message: 'level is at most 3' } };
    expect((await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: atMostThree })).status).toBe(201);
    const machine = {
      entity: 'task', field: 'status',
      definition: {
        initial: 'open',
        transitions: [
          { from: 'open', to: 'done', actions: [{ type: 'create_record', entity: 'audit', data: { note: 'task done', level: 1 } }, { type: 'send_event', event: 'task.done' }] },
          { from: 'open', to: 'escalated', actions: [{ type: 'create_record', entity: 'audit', data: { note: 'escalated', level: 9 } }] },
        ],
      },
    };
    const saved = await takes.api('POST', '/api/main/_admin/state-machines', { token: admin, body: machine });
    expect(saved.status).toBe(201);
    const badTarget = await takes.api('POST', '/api/main/_admin/state-machines', { token: admin, body: { ...machine, definition: { initial: 'open', transitions: [{ from: 'open', to: 'x', actions: [{ type: 'create_record', entity: 'audit', data: { nope: 1 } }] }] } } });
    expect({ status: badTarget.status, field: badTarget.body.error.details[0].field }).toEqual({ status: 422, field: 'transitions[0].actions[0].data.nope' });

    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/task', { token: admin, body: { id } })).status).toBe(201);
    const audits = async () => (await takes.sql<{ id: string; note: string }>("SELECT entity_id AS id, state->>'note' AS note FROM event_store.streams WHERE app = 'main' AND entity = 'audit'"));
    const before = (await audits()).length;
    const done = await takes.api('PUT', `/api/main/task/${id}`, { token: admin, body: { status: 'done' }, headers: { 'Idempotency-Key': `done-${id}` } });
    expect(done.status).toBe(200);
    const created = (await audits()).filter((row) => row.note === 'task done');
    expect(created).toHaveLength(1);
    expect(done.body.meta.related).toEqual([expect.objectContaining({ entity: 'audit', id: created[0].id, version: 1 })]);
    // The created record is readable at once (read-your-writes covers the whole command), with the task's signal beside it.
    const read = await takes.api('GET', `/api/main/audit/${created[0].id}`, { token: admin });
    expect(read.body.data).toMatchObject({ id: created[0].id, note: 'task done', level: 1 });
    expect((await takes.api('GET', `/api/main/audit/${created[0].id}/events`, { token: admin })).body.data[0]).toMatchObject({ type: 'created', command_id: `done-${id}` });
    // Sent again with the same Idempotency-Key: the first answer, nothing created twice.
    const again = await takes.api('PUT', `/api/main/task/${id}`, { token: admin, body: { status: 'done' }, headers: { 'Idempotency-Key': `done-${id}` } });
    expect(again.status).toBe(200);
    expect((await audits()).length).toBe(before + 1);
    await eventually(async () => {
      const subjects = (await takes.stream.messages()).map((m) => m.subject);
      expect(subjects).toEqual(expect.arrayContaining([`${takes.stream.prefix}evt.main.audit.created`, `${takes.stream.prefix}evt.main.task.signaled`]));
    });

    // The action's record breaks the audit's rule: the whole write is refused, the task is not changed.
    const other = randomUUID();
    expect((await takes.api('POST', '/api/main/task', { token: admin, body: { id: other } })).status).toBe(201);
    const escalated = await takes.api('PUT', `/api/main/task/${other}`, { token: admin, body: { status: 'escalated' } });
    expect(escalated.status).toBe(422);
    expect(escalated.body.error.details[0]).toMatchObject({ field: 'create_record audit.level', message: 'level is at most 3' });
    expect((await takes.api('GET', `/api/main/task/${other}`, { token: admin })).body.data.status).toBe('open');
    expect((await audits()).length).toBe(before + 1);

    // A writer who may change tasks but not create audits: the action is no way round the whitelist (403, nothing written).
    for (const action of ['read', 'create', 'update']) {
      expect((await takes.api('POST', '/api/main/_admin/permissions', { token: admin, body: { entity: 'task', action, roles: ['crew'] } })).status).toBe(201);
    }
    expect((await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email: 'crew@localhost', password: 'changeme-crew', roles: ['crew'] } })).status).toBe(201);
    const crew = await takes.login('main', 'crew@localhost', 'changeme-crew');
    const theirs = randomUUID();
    expect((await takes.api('POST', '/api/main/task', { token: crew, body: { id: theirs } })).status).toBe(201);
    const refused = await takes.api('PUT', `/api/main/task/${theirs}`, { token: crew, body: { status: 'done' } });
    expect({ status: refused.status, code: refused.body.error.code, message: refused.body.error.message }).toEqual({ status: 403, code: 'FORBIDDEN', message: expect.stringContaining('create_record audit') });
    expect((await takes.api('GET', `/api/main/task/${theirs}`, { token: crew })).body.data.status).toBe('open');
    expect((await audits()).length).toBe(before + 1);
  });

  describe('related_load: rules see related records from committed state and from the same command', () => {
    const order = { name: 'order', table: 'orders', fields: [{ name: 'id', type: 'uuid' }, { name: 'status', type: 'string', enum: ['open', 'closed'], default: 'open' }] };
    const line = { name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'order_id', type: 'uuid', nullable: true }, { name: 'quantity', type: 'int' }, { name: 'price', type: 'decimal', precision: 2 }] };
    const lines = { name: 'lines', type: 'one_to_many', source: 'order', target: 'line', source_key: 'id', target_key: 'order_id', ownership: 'source', on_delete: 'cascade' };

    beforeAll(async () => {
      for (const [path, body] of [['entities', order], ['entities', line], ['relations', lines]] as const) {
        expect((await takes.api('POST', `/api/main/_admin/${path}`, { token: admin, body })).status).toBe(201);
      }
      const atMost = { entity: 'order', type: 'expression', definition: { expression: "sum(related.lines, 'quantity * price') > 1000", message: 'an order is at most 1000', related_load: [{ relation: 'lines' }] } };
      const closed = { entity: 'line', type: 'expression', definition: { field: 'order_id', expression: "related.lines != nil && related.lines.status == 'closed'", message: 'the order is closed', related_load: [{ relation: 'lines' }] } };
      for (const rule of [atMost, closed]) expect((await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: rule })).status).toBe(201);
    });

    it('refuses at save a related_load of a relation that does not touch the entity, or a filter on a field the related entity lacks', async () => {
      const bad = await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: { entity: 'invoice', type: 'expression', definition: { expression: 'false', related_load: [{ relation: 'lines' }] } } });
      expect(bad.status).toBe(422);
      expect(bad.body.error.details[0]).toMatchObject({ field: 'definition.related_load[0].relation', rule: 'exists' });
      const badFilter = await takes.api('POST', '/api/main/_admin/rules', { token: admin, body: { entity: 'order', type: 'expression', definition: { expression: 'false', related_load: [{ relation: 'lines', filter: { colour: 'red' } }] } } });
      expect(badFilter.body.error.details[0]).toMatchObject({ field: 'definition.related_load[0].filter.colour', rule: 'exists' });
    });

    it("a parent's rule sums its committed children; a child's rule reads its parent, even one written earlier in the same command", async () => {
      const id = randomUUID();
      const created = await takes.api('POST', '/api/main/order', { token: admin, body: { id, lines: { _write_mode: 'replace', data: [{ quantity: 2, price: 100 }] } } });
      expect(created.status).toBe(201);
      expect((await takes.api('POST', '/api/main/line', { token: admin, body: { order_id: id, quantity: 3, price: '100.50' } })).status).toBe(201);
      // 200 + 301.50 is within the bound; with another 500.00 the order's own next write is refused.
      expect((await takes.api('PUT', `/api/main/order/${id}`, { token: admin, body: { status: 'open' } })).status).toBe(200);
      expect((await takes.api('POST', '/api/main/line', { token: admin, body: { order_id: id, quantity: 5, price: 100 } })).status).toBe(201);
      const tooMuch = await takes.api('PUT', `/api/main/order/${id}`, { token: admin, body: { status: 'closed' } });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body.error.details).toMatchObject([{ message: 'an order is at most 1000' }]);

      const small = randomUUID();
      expect((await takes.api('POST', '/api/main/order', { token: admin, body: { id: small } })).status).toBe(201);
      expect((await takes.api('PUT', `/api/main/order/${small}`, { token: admin, body: { status: 'closed' } })).status).toBe(200);
      const late = await takes.api('POST', '/api/main/line', { token: admin, body: { order_id: small, quantity: 1, price: 1 } });
      expect(late.status).toBe(422);
      expect(late.body.error.details).toMatchObject([{ field: 'order_id', message: 'the order is closed' }]);

      // The parent is not committed yet when its line is decided: the line sees it as this command wrote it.
      const before = await takes.recordEventCount();
      const closedWithLine = await takes.api('POST', '/api/main/order', { token: admin, body: { status: 'closed', lines: { _write_mode: 'replace', data: [{ quantity: 1, price: 1 }] } } });
      expect(closedWithLine.status).toBe(422);
      expect(JSON.stringify(closedWithLine.body.error)).toContain('the order is closed');
      expect(await takes.recordEventCount()).toBe(before);
    });
  });
});
