import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { eventually, startService, startTakes, type ServiceProcess, type TakesProcesses, startWebhookReceiver, type Received, type WebhookReceiver } from '@takes/testing';

/**
 * The webhooks service from the outside: the event store, projector, conflicts, gateway
 * and webhooks as processes, a real HTTP receiver started here. Each case has its own
 * webhook, selected by a condition on the record's `case`, on one entity.
 */
const visit = {
  name: 'visit',
  table: 'visits',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'case', type: 'string', nullable: true },
    { name: 'n', type: 'int', nullable: true },
  ],
};

describe('webhook deliveries (all services as processes, a real receiver)', () => {
  let takes: TakesProcesses;
  let token: string;
  let receiver: WebhookReceiver;
  const extra: ServiceProcess[] = [];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    takes = await startTakes('webhooks_e2e', { TAKES_RATE_LIMIT: '100000' }, {
      webhooksEnv: {
        TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1',
        TAKES_WEBHOOKS_RETRY_SCHEDULE: '0,200ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms',
        TAKES_WEBHOOKS_POLL: '50ms',
        TAKES_WEBHOOKS_TIMEOUT: '3s',
        TAKES_WEBHOOKS_LEASE: '2s',
        // A place moved only over events that make no delivery is saved with the next delivery or on stop, never on the clock here.
        TAKES_WEBHOOKS_WATERMARK_SAVE: '1h',
      },
    });
    token = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: visit })).status).toBe(201);
  });
  afterAll(async () => {
    for (const process of extra) await process.stop();
    await takes?.close();
    await receiver?.close();
  });

  async function createWebhook(kase: string, path: string, more: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
    const r = await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'visit', url: receiver.url(path), condition: `record.case == "${kase}"`, ...more } });
    expect(r.status).toBe(201);
    expect(r.body.data.secret).toMatch(/^whsec_/);
    return { id: r.body.data.id, secret: r.body.data.secret };
  }
  const write = async (kase: string, n: number, id: string = randomUUID()) => {
    const exists = (await takes.api('GET', `/api/main/visit/${id}`, { token })).status === 200;
    const r = exists
      ? await takes.api('PUT', `/api/main/visit/${id}`, { token, body: { n } })
      : await takes.api('POST', '/api/main/visit', { token, body: { id, case: kase, n } });
    expect([200, 201]).toContain(r.status);
    return id;
  };
  const logs = async (query: string) => {
    const r = await takes.api('GET', `/api/main/_admin/webhook-logs?${query}`, { token });
    expect(r.status).toBe(200);
    return r.body.data as { id: string; status: string; attempt: number; record_id: string; webhook_message_id: string }[];
  };
  const log = async (id: string) => (await takes.api('GET', `/api/main/_admin/webhook-logs/${id}`, { token })).body.data;
  const bodyOf = (r: Received) => JSON.parse(r.body);

  it('signs every delivery so that the standardwebhooks package verifies it, across a secret rotation', async () => {
    const hook = await createWebhook('sig', '/sig');
    const id = await write('sig', 1);
    const [first] = await eventually(() => {
      expect(receiver.received('/sig')).toHaveLength(1);
      return receiver.received('/sig');
    });
    const payload = new Webhook(hook.secret).verify(first.body, first.headers as Record<string, string>) as Record<string, any>;
    expect(payload).toMatchObject({ event: 'after_write', entity: 'visit', action: 'create', record: { id, case: 'sig', n: 1 }, old: null, user: { roles: ['admin'] } });
    expect(payload.takes_event).toMatchObject({ type: 'created', entity_id: id, version: 1 });
    expect(first.headers['webhook-id']).toMatch(/^msg_/);

    const rotated = await takes.api('POST', `/api/main/_admin/webhooks/${hook.id}/rotate-secret`, { token, body: {} });
    expect(rotated.status).toBe(200);
    const next = rotated.body.data.secret as string;
    expect(next).not.toBe(hook.secret);
    await write('sig', 2, id);
    const second = await eventually(() => {
      expect(receiver.received('/sig')).toHaveLength(2);
      return receiver.received('/sig')[1];
    });
    // During the grace period both secrets sign.
    expect((second.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(new Webhook(next).verify(second.body, second.headers as Record<string, string>)).toMatchObject({ action: 'update', changes: { n: { old: 1, new: 2 } } });
    expect(new Webhook(hook.secret).verify(second.body, second.headers as Record<string, string>)).toMatchObject({ action: 'update' });

    // A rotation without grace: only the newest secret signs.
    const last = (await takes.api('POST', `/api/main/_admin/webhooks/${hook.id}/rotate-secret`, { token, body: { grace_seconds: 0 } })).body.data.secret as string;
    await write('sig', 3, id);
    const third = await eventually(() => {
      expect(receiver.received('/sig')).toHaveLength(3);
      return receiver.received('/sig')[2];
    });
    expect(new Webhook(last).verify(third.body, third.headers as Record<string, string>)).toMatchObject({ record: { n: 3 } });
    expect(() => new Webhook(next).verify(third.body, third.headers as Record<string, string>)).toThrow();
    // The secret is never listed nor in the metadata events.
    expect(JSON.stringify((await takes.api('GET', `/api/main/_admin/webhooks/${hook.id}`, { token })).body)).not.toContain('whsec_');
    expect(JSON.stringify(await takes.sql("SELECT patch FROM event_store.events WHERE entity = '_meta'"))).not.toContain('whsec_');
  });

  it('retries a 500 with the same webhook-id, and the log shows each attempt', async () => {
    const hook = await createWebhook('flaky', '/flaky');
    receiver.answer('/flaky', (n) => (n === 0 ? { status: 500, body: 'boom' } : { status: 200, body: 'fine' }));
    await write('flaky', 1);
    const [a, b] = await eventually(() => {
      expect(receiver.received('/flaky')).toHaveLength(2);
      return receiver.received('/flaky');
    });
    expect(b.headers['webhook-id']).toBe(a.headers['webhook-id']);
    expect(b.body).toBe(a.body);
    const [row] = await eventually(async () => {
      const rows = await logs(`webhook_id=${hook.id}&status=delivered`);
      expect(rows).toHaveLength(1);
      return rows;
    });
    const detail = await log(row.id);
    expect(detail.attempts.map((x: { response_status: number }) => x.response_status)).toEqual([500, 200]);
    expect(detail.attempts.map((x: { response_excerpt: string }) => x.response_excerpt)).toEqual(['boom', 'fine']);
    expect(detail.webhook_message_id).toBe(a.headers['webhook-id']);
  });

  it('delivers every event once per webhook-id, in order per record, to a receiver that was down for a while', async () => {
    const down = await startWebhookReceiver();
    const hook = await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'visit', url: down.url('/down'), condition: 'record.case == "down"' } });
    expect(hook.status).toBe(201);
    await down.stop();
    const ids = [randomUUID(), randomUUID()];
    for (let n = 1; n <= 3; n += 1) for (const id of ids) await write('down', n, id);
    // The first deliveries fail while it is down (connection refused) ...
    await eventually(async () => {
      const rows = await logs(`webhook_id=${hook.body.data.id}&status=retrying`);
      expect(rows.length).toBeGreaterThan(0);
    });
    await down.start();
    const got = await eventually(() => {
      expect(down.received('/down')).toHaveLength(6);
      return down.received('/down');
    }, 30_000);
    const messageIds = got.map((r) => r.headers['webhook-id']);
    expect(new Set(messageIds).size).toBe(6);
    for (const id of ids) {
      const versions = got.map(bodyOf).filter((p) => p.record.id === id).map((p) => p.takes_event.version);
      expect(versions).toEqual([1, 2, 3]);
    }
    await down.close();
  });

  it('disables an endpoint that answers 410 Gone, and delivers nothing more to it', async () => {
    const gone = await createWebhook('gone', '/gone');
    await createWebhook('gone', '/gone-witness');
    receiver.answer('/gone', () => ({ status: 410 }));
    await write('gone', 1);
    await eventually(async () => expect(await logs(`webhook_id=${gone.id}&status=failed`)).toHaveLength(1));
    await write('gone', 2);
    // The witness got the second event, so the intake has made the second delivery to /gone too.
    await eventually(() => expect(receiver.received('/gone-witness')).toHaveLength(2));
    await eventually(async () => expect(await logs(`webhook_id=${gone.id}&status=pending`)).toHaveLength(1));
    expect(receiver.received('/gone')).toHaveLength(1);
    const metrics = await (await fetch(`http://127.0.0.1:${takes.webhooks.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/takes_webhook_endpoints\{[^}]*state="disabled"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/takes_webhook_attempts_total\{[^}]*outcome="gone"[^}]*\} 1/);
  });

  it('honours Retry-After on a 429', async () => {
    const hook = await createWebhook('busy', '/busy');
    receiver.answer('/busy', (n) => (n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    await write('busy', 1);
    const [a, b] = await eventually(() => {
      expect(receiver.received('/busy')).toHaveLength(2);
      return receiver.received('/busy');
    }, 15_000);
    expect(b.at - a.at).toBeGreaterThanOrEqual(1_900);
    const [row] = await logs(`webhook_id=${hook.id}`);
    expect((await log(row.id)).attempts.map((x: { response_status: number }) => x.response_status)).toEqual([429, 200]);
  });

  it('refuses the metadata address and does not follow a redirect to it', async () => {
    const metadata = await takes.api('POST', '/api/main/_admin/webhooks', { token, body: { entity: 'visit', url: 'http://169.254.169.254/latest/meta-data/', condition: 'record.case == "ssrf"' } });
    const redirect = await createWebhook('ssrf', '/redirect');
    receiver.answer('/redirect', () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    await write('ssrf', 1);
    const [refused] = await eventually(async () => {
      const rows = await logs(`webhook_id=${metadata.body.data.id}&status=failed`);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect((await log(refused.id)).error).toContain('metadata');
    const [redirected] = await eventually(async () => {
      const rows = await logs(`webhook_id=${redirect.id}&status=failed`);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect((await log(redirected.id)).attempts.map((x: { response_status: number }) => x.response_status)).toEqual([302]);
    expect(receiver.received('/redirect')).toHaveLength(1);
  });

  it('a manual retry and a replay deliver again with the same webhook-id', async () => {
    const hook = await createWebhook('again', '/again');
    const id = await write('again', 1);
    await eventually(() => expect(receiver.received('/again')).toHaveLength(1));
    const [row] = await eventually(async () => {
      const rows = await logs(`webhook_id=${hook.id}&record_id=${id}&status=delivered`);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect((await takes.api('POST', `/api/main/_admin/webhook-logs/${row.id}/retry`, { token })).status).toBe(200);
    await eventually(() => expect(receiver.received('/again')).toHaveLength(2));
    const replay = await takes.api('POST', `/api/main/_admin/webhooks/${hook.id}/replay`, { token, body: { since_position: 0 } });
    expect(replay.status).toBe(202);
    expect(replay.body.data.queued).toBe(1);
    await eventually(() => expect(receiver.received('/again')).toHaveLength(3));
    expect(new Set(receiver.received('/again').map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect((await takes.api('POST', `/api/main/_admin/webhooks/${hook.id}/replay`, { token, body: {} })).status).toBe(422);
  });

  it('loses nothing when the webhooks service is SIGKILLed mid-delivery; the repeated delivery has the same webhook-id', async () => {
    await createWebhook('kill', '/kill');
    receiver.answer('/kill', (n) => (n === 0 ? 'hang' : { status: 200 }));
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await write('kill', 1, ids[0]);
    await eventually(() => expect(receiver.received('/kill')).toHaveLength(1));
    await takes.webhooks.kill();
    for (const id of ids) await write('kill', 2, id);
    await takes.startWebhooks();
    const got = await eventually(() => {
      const all = receiver.received('/kill');
      expect(new Set(all.map((r) => r.headers['webhook-id'])).size).toBe(4);
      return all;
    }, 30_000);
    const first = got[0].headers['webhook-id'];
    expect(got.filter((r) => r.headers['webhook-id'] === first).length).toBeGreaterThanOrEqual(2);
  });

  it('saves its place at once with a delivery, and where events made none only on stop; a kill replays those events, to no delivery', async () => {
    await createWebhook('lazy', '/lazy');
    const watermark = async () => Number((await takes.sql<{ position: string }>("SELECT position FROM webhooks.watermarks WHERE read_model = 'intake'"))[0].position);
    const intakePosition = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${takes.webhooks.httpPort}/metrics`)).text();
      return Number(/^takes_webhook_intake_position\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
    };
    const create = async (kase: string) => {
      const r = await takes.api('POST', '/api/main/visit', { token, body: { case: kase, n: 1 } });
      expect(r.status).toBe(201);
      return Number(r.headers.get('x-takes-position'));
    };
    const hit = await create('lazy');
    await eventually(() => expect(receiver.received('/lazy')).toHaveLength(1));
    await eventually(async () => expect(await watermark()).toBeGreaterThanOrEqual(hit));
    const saved = await watermark();
    // Events no webhook wants: read, and the place is not saved for them.
    let last = 0;
    for (let i = 0; i < 5; i += 1) last = await create('lazy-miss');
    await eventually(async () => expect(await intakePosition()).toBe(last));
    expect(await watermark()).toBe(saved);
    // Killed: the next replica reads those five again from the saved place, and they make nothing.
    await takes.webhooks.kill();
    await takes.startWebhooks();
    await eventually(async () => expect(await intakePosition()).toBe(last));
    await create('lazy');
    await eventually(() => expect(receiver.received('/lazy')).toHaveLength(2));
    expect(new Set(receiver.received('/lazy').map((r) => r.headers['webhook-id'])).size).toBe(2);
    // Stopped: the place moved over events without a delivery is saved on the way out.
    for (let i = 0; i < 3; i += 1) last = await create('lazy-miss');
    await eventually(async () => expect(await intakePosition()).toBe(last));
    expect(await watermark()).toBeLessThan(last);
    await takes.webhooks.stop();
    expect(await watermark()).toBe(last);
    // With the default setting, such a place is saved within a second, the service running.
    const { TAKES_WEBHOOKS_WATERMARK_SAVE: _hour, ...defaults } = takes.webhooksEnv;
    const running = await startService('webhooks', { env: defaults, httpPortVar: 'TAKES_WEBHOOKS_HTTP_PORT' });
    try {
      for (let i = 0; i < 2; i += 1) last = await create('lazy-miss');
      await eventually(async () => expect(await watermark()).toBe(last), 10_000);
    } finally {
      await running.stop();
    }
    await takes.startWebhooks();
  });

  it('two replicas deliver each (event, endpoint) once between them', async () => {
    extra.push(await startService('webhooks', { env: takes.webhooksEnv, httpPortVar: 'TAKES_WEBHOOKS_HTTP_PORT' }));
    const hook = await createWebhook('pair', '/pair');
    for (let i = 0; i < 20; i += 1) await write('pair', i);
    await eventually(async () => expect(await logs(`webhook_id=${hook.id}&status=delivered&per_page=100`)).toHaveLength(20), 30_000);
    const messageIds = receiver.received('/pair').map((r) => r.headers['webhook-id']);
    expect(messageIds).toHaveLength(20);
    expect(new Set(messageIds).size).toBe(20);
  });
});
