import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { connect, type NatsConnection } from 'nats';
import { eventually, startTakes, type TakesProcesses, startWebhookReceiver, type WebhookReceiver } from '@takes/testing';

/**
 * Sync hooks (before_write, before_delete) from the outside: the gateway calls them
 * through the webhooks service before it sends the command; a refusal or a timeout is a
 * 422 and nothing is appended. Also, on this suite's webhooks process (disabling after
 * 1 s of failures): an endpoint that keeps failing is disabled and a message says so;
 * the admin routes' access and bad input.
 */
const order = {
  name: 'order',
  table: 'orders',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'amount', type: 'int', nullable: true },
    { name: 'note', type: 'string', nullable: true },
  ],
};

describe('sync hooks (all services as processes, a real receiver)', () => {
  let takes: TakesProcesses;
  let token: string;
  let receiver: WebhookReceiver;
  let secret: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    takes = await startTakes('sync_hooks_e2e', { TAKES_RATE_LIMIT: '100000' }, {
      webhooksEnv: {
        TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1',
        TAKES_WEBHOOKS_DISABLE_AFTER: '1s',
        TAKES_WEBHOOKS_RETRY_SCHEDULE: Array.from({ length: 30 }, (_, i) => (i === 0 ? '0' : '200ms')).join(','),
        TAKES_WEBHOOKS_POLL: '50ms',
      },
    });
    token = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: order })).status).toBe(201);
    // Refuses amounts over 100 with a message; hangs on a note "slow".
    receiver.answer('/check', (n) => {
      const body = JSON.parse(receiver.received('/check')[n].body);
      if (body.record?.note === 'slow') return 'hang';
      return body.record?.amount > 100 ? { status: 422, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'amount over the limit' }) } : { status: 204 };
    });
    const hook = await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'order', hook: 'before_write', url: receiver.url('/check'), timeout: '500ms' } });
    expect(hook.status).toBe(201);
    expect(hook.body.data).toMatchObject({ hook: 'before_write', async: false, timeout: 500 });
    secret = hook.body.data.secret;
    receiver.answer('/keep', () => ({ status: 403, body: 'orders are kept' }));
    expect((await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'order', hook: 'before_delete', url: receiver.url('/keep'), condition: 'old.note == "keep"' } })).status).toBe(201);
  });
  afterAll(async () => {
    await takes?.close();
    await receiver?.close();
  });

  it('lets a write the hook accepts through, after calling it (signed) with the record as it would be written', async () => {
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/order', { token, body: { id, amount: 10, note: 'a' } })).status).toBe(201);
    const put = await takes.api('PUT', `/api/main/order/${id}`, { token, body: { amount: 20 } });
    expect(put.status).toBe(200);
    const last = receiver.received('/check').at(-1)!;
    const payload = new Webhook(secret).verify(last.body, last.headers as Record<string, string>);
    expect(payload).toMatchObject({ event: 'before_write', entity: 'order', action: 'update', old: { id, amount: 10, note: 'a' }, record: { id, amount: 20, note: 'a' }, changes: { amount: { old: 10, new: 20 } } });
  });

  it("refuses a write the hook refuses with the hook's message; nothing is appended", async () => {
    const before = await takes.recordEventCount();
    const id = randomUUID();
    const r = await takes.api('POST', '/api/main/order', { token, body: { id, amount: 500 } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'amount over the limit', details: [{ rule: 'webhook', status: 422 }] });
    expect((await takes.api('GET', `/api/main/order/${id}`, { token })).status).toBe(404);
    expect(await takes.recordEventCount()).toBe(before);
    // The same in a _sync batch: that edit is rejected, the other applied.
    const sync = await takes.api('POST', '/api/main/_sync', {
      token,
      body: { edits: [{ command_id: randomUUID(), entity: 'order', id: randomUUID(), op: 'create', data: { amount: 1000 } }, { command_id: randomUUID(), entity: 'order', id: randomUUID(), op: 'create', data: { amount: 1 } }] },
    });
    expect(sync.body.data.map((x: { outcome: string }) => x.outcome)).toEqual(['rejected', 'applied']);
    expect(sync.body.data[0].error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'amount over the limit' });
    expect(await takes.recordEventCount()).toBe(before + 1);
  });

  it('refuses a write when the hook does not answer in time; nothing is appended', async () => {
    const before = await takes.recordEventCount();
    const id = randomUUID();
    const r = await takes.api('POST', '/api/main/order', { token, body: { id, amount: 1, note: 'slow' } });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toContain('timed out');
    expect(await takes.recordEventCount()).toBe(before);
  });

  it('a before_delete hook refuses a delete; its condition picks the records', async () => {
    const kept = randomUUID();
    const other = randomUUID();
    for (const [id, note] of [[kept, 'keep'], [other, 'x']]) expect((await takes.api('POST', '/api/main/order', { token, body: { id, amount: 1, note } })).status).toBe(201);
    const refused = await takes.api('DELETE', `/api/main/order/${kept}`, { token });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe('orders are kept');
    expect((await takes.api('GET', `/api/main/order/${kept}`, { token })).status).toBe(200);
    expect((await takes.api('DELETE', `/api/main/order/${other}`, { token })).status).toBe(200);
    expect(receiver.received('/keep')).toHaveLength(1);
    await eventually(async () => expect((await takes.api('GET', `/api/main/order/${other}`, { token })).status).toBe(404));
  });

  it('disables an endpoint that has failed for longer than TAKES_WEBHOOKS_DISABLE_AFTER, and says so on NATS', async () => {
    const nc: NatsConnection = await connect({ servers: takes.stream.url });
    try {
      const said: { webhook_id: string; reason: string }[] = [];
      const subscription = nc.subscribe(`${takes.stream.prefix}webhooks.endpoint_disabled`);
      void (async () => {
        for await (const message of subscription) said.push(message.json());
      })();
      receiver.answer('/failing', () => ({ status: 503 }));
      const hook = await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'order', url: receiver.url('/failing'), condition: 'record.note == "fails"' } });
      expect(hook.status).toBe(201);
      expect((await takes.api('POST', '/api/main/order', { token, body: { id: randomUUID(), amount: 1, note: 'fails' } })).status).toBe(201);
      const [message] = await eventually(() => {
        expect(said).toHaveLength(1);
        return said;
      }, 20_000);
      expect(message).toMatchObject({ webhook_id: hook.body.data.id, reason: expect.stringContaining('failed for longer than 1 s') });
      const metrics = await (await fetch(`http://127.0.0.1:${takes.webhooks.httpPort}/metrics`)).text();
      expect(metrics).toMatch(/takes_webhook_endpoints\{[^}]*state="disabled"[^}]*\} 1/);
      // Disabled: no more attempts, the delivery stays open until the webhook is redefined.
      const attempts = receiver.received('/failing').length;
      expect((await takes.api('GET', `/api/main/_admin/webhook-logs?webhook_id=${hook.body.data.id}&status=retrying`, { token })).body.data).toHaveLength(1);
      receiver.answer('/failing', () => ({ status: 200 }));
      const { id: _id, secret: _secret, created_at: _c, updated_at: _u, ...definition } = hook.body.data;
      expect((await takes.api('PUT', `/api/main/_admin/webhooks/${hook.body.data.id}`, { token, body: definition })).status).toBe(200);
      await eventually(async () => expect((await takes.api('GET', `/api/main/_admin/webhook-logs?webhook_id=${hook.body.data.id}&status=delivered`, { token })).body.data).toHaveLength(1), 20_000);
      expect(receiver.received('/failing').length).toBeGreaterThan(attempts);
    } finally {
      await nc.close();
    }
  });

  it('keeps the webhook routes to admins, and answers bad input with 4xx', async () => {
    const user = await takes.api('POST', '/api/main/_admin/users', { token, body: { email: 'crew@localhost', password: 'changeme-crew', roles: ['crew'] } });
    expect(user.status).toBe(201);
    const crew = await takes.login('main', 'crew@localhost', 'changeme-crew');
    expect((await takes.api('GET', '/api/main/_admin/webhook-logs', { token: crew })).status).toBe(403);
    expect((await takes.api('GET', '/api/main/_admin/webhooks', { token: crew })).status).toBe(403);
    expect((await takes.api('POST', '/api/main/_admin/webhooks', { token: crew, body: { entity: 'order', url: receiver.url('/x') } })).status).toBe(403);

    const bad = await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'order', url: receiver.url('/x'), condition: 'record.amount >' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'condition', rule: 'expression', line: 1 })]);
    expect((await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'nope', url: receiver.url('/x') } })).status).toBe(422);
    expect((await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'order', url: 'file:///etc/passwd' } })).status).toBe(422);
    expect((await takes.api('GET', '/api/main/_admin/webhook-logs?status=bogus', { token })).status).toBe(400);
    expect((await takes.api('GET', '/api/main/_admin/webhook-logs?since=yesterday', { token })).status).toBe(400);
    expect((await takes.api('GET', '/api/main/_admin/webhook-logs/not-a-log', { token })).body.error.code).toBe('NOT_FOUND');
    expect((await takes.api('POST', `/api/main/_admin/webhook-logs/${randomUUID()}/retry`, { token })).status).toBe(404);
    expect((await takes.api('POST', `/api/main/_admin/webhooks/${randomUUID()}/rotate-secret`, { token, body: {} })).status).toBe(404);
    const list = await takes.api('GET', '/api/main/_admin/webhooks', { token });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
  });
});
