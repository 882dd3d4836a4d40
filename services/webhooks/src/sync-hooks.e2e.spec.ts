import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { eventually, serviceEnv, startService, startTakes, type ServiceProcess, type TakesProcesses } from '@takes/testing';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver';

/**
 * Sync hooks (before_write, before_delete) from the outside: the gateway calls them
 * through the webhooks service before it sends the command; a refusal or a timeout is a
 * 422 and nothing is appended.
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
  let webhooks: ServiceProcess;
  let secret: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    takes = await startTakes('sync_hooks_e2e', { TAKES_RATE_LIMIT: '100000' });
    webhooks = await startService('webhooks', { env: { ...serviceEnv(takes.testDb, takes.stream), TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1' }, httpPortVar: 'TAKES_WEBHOOKS_HTTP_PORT' });
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
    await webhooks?.stop();
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
});
