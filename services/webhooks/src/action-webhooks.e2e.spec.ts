import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { eventually, startTakes, type TakesProcesses, startWebhookReceiver, type Received, type WebhookReceiver } from '@takes/testing';

/**
 * A state machine's webhook action (Rocket's `{type: "webhook", url, method}`), from the
 * outside: every service as a process, a real receiver. The call is a `webhook_requested`
 * event after the transition's, delivered by the webhooks service after commit, signed
 * with the state machine's own secret; a path is resolved against TAKES_WEBHOOKS_BASE_URL.
 */
const invoice = {
  name: 'invoice',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'status', type: 'string', nullable: true },
    { name: 'total', type: 'decimal', nullable: true },
    { name: 'note', type: 'string', nullable: true },
    { name: 'paid_at', type: 'timestamp', nullable: true },
  ],
};

describe("a state machine's webhook action (all services as processes, a real receiver)", () => {
  let takes: TakesProcesses;
  let token: string;
  let receiver: WebhookReceiver;
  let machineId: string;
  let secret: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    takes = await startTakes('action_webhooks_e2e', { TAKES_RATE_LIMIT: '100000' }, {
      webhooksEnv: {
        TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1',
        TAKES_WEBHOOKS_BASE_URL: `http://127.0.0.1:${receiver.port}`,
        TAKES_WEBHOOKS_RETRY_SCHEDULE: '0,200ms,1m',
        TAKES_WEBHOOKS_POLL: '50ms',
      },
    });
    token = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: invoice })).status).toBe(201);
    // Rocket's invoice machine (docs/rules-and-workflows.md, Layer 3), its paid transition calling two URLs.
    const machine = await takes.api('POST', '/api/main/_admin/state-machines', {
      token,
      body: {
        entity: 'invoice',
        field: 'status',
        initial: 'draft',
        transitions: [
          { from: 'draft', to: 'sent', roles: ['admin'] },
          {
            from: 'sent',
            to: 'paid',
            guard: 'record.total > 0',
            actions: [
              { type: 'set_field', field: 'paid_at', value: 'now' },
              { type: 'webhook', url: '/hooks/invoice-paid', method: 'POST' },
              { type: 'webhook', url: receiver.url('/erp/paid'), method: 'PUT' },
            ],
          },
          { from: 'paid', to: 'sent' },
        ],
      },
    });
    expect(machine.status).toBe(201);
    machineId = machine.body.data.id;
    secret = machine.body.data.webhook_secret;
    expect(secret).toMatch(/^whsec_/);
  });
  afterAll(async () => {
    await takes?.close();
    await receiver?.close();
  });

  const create = async (body: Record<string, unknown>) => {
    const r = await takes.api('POST', '/api/main/invoice', { token, body: { id: randomUUID(), ...body } });
    expect(r.status).toBe(201);
    return r.body.data as { id: string; _version: number };
  };
  const put = (id: string, body: Record<string, unknown>) => takes.api('PUT', `/api/main/invoice/${id}`, { token, body });
  const callsFor = (path: string, id: string) => receiver.received(path).filter((r) => JSON.parse(r.body).record?.id === id);
  const verify = (r: Received, key = secret) => new Webhook(key).verify(r.body, r.headers as Record<string, string>) as Record<string, any>;

  it('calls each URL once after the transition commits, signed with the machine\'s secret, with the record before and after', async () => {
    const { id } = await create({ total: 120, note: 'n' });
    expect((await put(id, { status: 'sent' })).status).toBe(200);
    const paid = await put(id, { status: 'paid' });
    expect(paid.status).toBe(200);
    const [call] = await eventually(() => {
      expect(callsFor('/hooks/invoice-paid', id)).toHaveLength(1);
      expect(callsFor('/erp/paid', id)).toHaveLength(1);
      return callsFor('/hooks/invoice-paid', id);
    });
    const body = verify(call);
    expect(body).toMatchObject({
      event: 'state_machine.transition',
      entity: 'invoice',
      action: 'update',
      record: { id, status: 'paid', total: 120 },
      old: { id, status: 'sent' },
      changes: { status: { old: 'sent', new: 'paid' } },
      user: { roles: ['admin'] },
      state_machine: { id: machineId, field: 'status', from: 'sent', to: 'paid' },
      takes_event: { type: 'webhook_requested', entity_id: id },
    });
    expect(body.record.paid_at).toEqual(expect.any(String));
    expect(body.changes.paid_at).toEqual({ old: null, new: body.record.paid_at });
    const erp = callsFor('/erp/paid', id)[0];
    expect(verify(erp)).toMatchObject({ state_machine: { to: 'paid' } });
    expect(erp.headers['webhook-id']).not.toBe(call.headers['webhook-id']);

    // The calls are events of the record, after the transition's, in the order the actions are listed.
    const history = await takes.sql<{ type: string; webhook: { url: string; method: string; source: string } | null }>(
      'SELECT type, webhook FROM event_store.events WHERE entity_id = $1 ORDER BY version', [id]);
    expect(history.map((e) => e.type)).toEqual(['created', 'updated', 'updated', 'webhook_requested', 'webhook_requested']);
    expect(history.slice(3).map((e) => e.webhook)).toEqual([
      expect.objectContaining({ url: '/hooks/invoice-paid', method: 'POST', source: `state_machine:${machineId}` }),
      expect.objectContaining({ url: receiver.url('/erp/paid'), method: 'PUT' }),
    ]);
    // The delivery log lists them under the machine, with the url each called.
    const logs = await eventually(async () => {
      const r = await takes.api('GET', `/api/main/_admin/webhook-logs?webhook_id=${encodeURIComponent(`state_machine:${machineId}`)}&record_id=${id}&status=delivered`, { token });
      expect(r.status).toBe(200);
      expect(r.body.data).toHaveLength(2);
      return r.body.data as { url: string; method: string; hook: string }[];
    });
    expect(logs.map((l) => [l.url, l.method, l.hook]).sort()).toEqual([['/hooks/invoice-paid', 'POST', 'transition'], [receiver.url('/erp/paid'), 'PUT', 'transition']].sort());
  });

  it('a refused transition calls nothing and appends nothing; a write that makes no transition calls nothing', async () => {
    const { id } = await create({ total: 0 });
    expect((await put(id, { status: 'sent' })).status).toBe(200);
    const before = await takes.recordEventCount();
    const refused = await put(id, { status: 'paid' });
    expect(refused.status).toBe(422);
    expect(await takes.recordEventCount()).toBe(before);
    expect((await put(id, { note: 'edited' })).status).toBe(200);
    // A sentinel transition on another record: once its call has arrived, this record's would have too.
    const sentinel = await create({ total: 5 });
    await put(sentinel.id, { status: 'sent' });
    await put(sentinel.id, { status: 'paid' });
    await eventually(() => expect(callsFor('/hooks/invoice-paid', sentinel.id)).toHaveLength(1));
    expect(callsFor('/hooks/invoice-paid', id)).toHaveLength(0);
    expect(await takes.sql("SELECT 1 FROM event_store.events WHERE entity_id = $1 AND type = 'webhook_requested'", [id])).toHaveLength(0);
  });

  it('an offline edit whose merge makes the transition calls once, like an online one', async () => {
    const { id } = await create({ total: 30 });
    const sent = await put(id, { status: 'sent' });
    const base = sent.body.meta.version as number;
    expect((await put(id, { note: 'online edit' })).status).toBe(200);
    const offline = await takes.api('PUT', `/api/main/invoice/${id}`, { token, body: { status: 'paid' }, headers: { 'If-Match': `"${base}"`, 'X-Takes-Device': 'tablet-A' } });
    expect(offline.body).toMatchObject({ data: { status: 'paid', note: 'online edit' }, meta: { outcome: 'merged' } });
    const [call] = await eventually(() => {
      expect(callsFor('/hooks/invoice-paid', id)).toHaveLength(1);
      return callsFor('/hooks/invoice-paid', id);
    });
    expect(verify(call)).toMatchObject({ record: { status: 'paid', note: 'online edit' }, old: { status: 'sent', note: 'online edit' } });
  });

  it('rotates the secret: both sign during the grace period', async () => {
    const rotated = await takes.api('POST', `/api/main/_admin/state-machines/${machineId}/rotate-secret`, { token, body: { grace_seconds: 600 } });
    expect(rotated.status).toBe(200);
    const next = rotated.body.data.secret as string;
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);
    const { id } = await create({ total: 9 });
    await put(id, { status: 'sent' });
    await put(id, { status: 'paid' });
    const [call] = await eventually(() => {
      expect(callsFor('/hooks/invoice-paid', id)).toHaveLength(1);
      return callsFor('/hooks/invoice-paid', id);
    });
    expect(verify(call, next)).toMatchObject({ record: { id } });
    expect(verify(call, secret)).toMatchObject({ record: { id } });
    expect((await takes.api('POST', `/api/main/_admin/state-machines/${randomUUID()}/rotate-secret`, { token, body: {} })).status).toBe(404);
    expect((await takes.api('POST', `/api/main/_admin/state-machines/${machineId}/rotate-secret`, { token, body: { grace_seconds: -1 } })).status).toBe(422);
  });

  it('refuses a webhook action it could not call, at save, with where it is wrong', async () => {
    const bad = await takes.api('POST', '/api/main/_admin/state-machines', {
      token,
      body: { entity: 'invoice', field: 'note', transitions: [{ from: 'a', to: 'b', actions: [{ type: 'webhook', url: 'ftp://example.com/x' }] }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'transitions[0].actions[0].url', rule: 'pattern' })]);
  });

  it('a machine given its first webhook action by a redefinition gets its secret then; removing it cancels its calls still waiting', async () => {
    const created = await takes.api('POST', '/api/main/_admin/state-machines', { token, body: { entity: 'invoice', field: 'note', transitions: [{ from: 'a', to: 'b' }] } });
    expect(created.status).toBe(201);
    expect(created.body.data).not.toHaveProperty('webhook_secret');
    const id = created.body.data.id as string;
    const withCall = { entity: 'invoice', field: 'note', transitions: [{ from: 'a', to: 'b', actions: [{ type: 'webhook', url: '/hooks/down' }] }] };
    const redefined = await takes.api('PUT', `/api/main/_admin/state-machines/${id}`, { token, body: withCall });
    expect(redefined.status).toBe(200);
    expect(redefined.body.data.webhook_secret).toMatch(/^whsec_/);
    // Its secret is made once: a later redefinition does not show or change it.
    const again = await takes.api('PUT', `/api/main/_admin/state-machines/${id}`, { token, body: withCall });
    expect(again.status).toBe(200);
    expect(again.body.data).not.toHaveProperty('webhook_secret');

    receiver.answer('/hooks/down', () => ({ status: 503 }));
    const record = await create({ note: 'a' });
    expect((await put(record.id, { note: 'b' })).status).toBe(200);
    const source = encodeURIComponent(`state_machine:${id}`);
    await eventually(async () => {
      const r = await takes.api('GET', `/api/main/_admin/webhook-logs?webhook_id=${source}&status=retrying`, { token });
      expect(r.body.data).toHaveLength(1);
    });
    expect((await takes.api('DELETE', `/api/main/_admin/state-machines/${id}`, { token })).status).toBe(200);
    await eventually(async () => {
      const r = await takes.api('GET', `/api/main/_admin/webhook-logs?webhook_id=${source}`, { token });
      expect(r.body.data.map((l: { status: string }) => l.status)).toEqual(['cancelled']);
    });
  });
});
