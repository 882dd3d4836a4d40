import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clockPast, createTcpProxy, eventually, startTakes, type TakesProcesses } from '@takes/testing';
import { FileStorage } from './file-storage';
import { TakesClient, type EditResult, type TakesClientOptions } from './takes-client';

// The client against the real services (event store, gateway, projector, conflicts, ...
// as processes): offline edits on two devices converging, the server stopped mid-sync,
// a device killed mid-flush, token refresh, refusals.

const INSPECTION = {
  name: 'inspection',
  table: 'inspections',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site', type: 'string', required: true },
    { name: 'pressure', type: 'decimal', precision: 2 },
    { name: 'status', type: 'string', enum: ['draft', 'done'], default: 'draft' },
  ],
};

describe('@takes/client against the running services', () => {
  let takes: TakesProcesses;
  let admin: string;
  let refresh: string;
  const open: TakesClient[] = [];
  const dirs: string[] = [];

  const client = async (options: Partial<TakesClientOptions> = {}) => {
    const c = await TakesClient.open({
      baseUrl: takes.baseUrl,
      app: 'main',
      tokens: { access_token: admin, refresh_token: refresh },
      keepTokens: false,
      pushDelayMs: null,
      pullIntervalMs: null,
      backoff: { baseMs: 100, maxMs: 400 },
      ...options,
    });
    open.push(c);
    return c;
  };
  const fileDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takes-client-e2e-'));
    dirs.push(dir);
    return dir;
  };
  const lastEvent = async (id: string) => (await takes.api('GET', `/api/main/inspection/${id}/events?limit=1000`, { token: admin })).body.data.at(-1);
  const history = async (id: string) => (await takes.api('GET', `/api/main/inspection/${id}/history`, { token: admin })).body.data as Array<{ field: string; value: unknown; takes: Array<{ value: unknown }> }>;
  const appliedTwice = () =>
    takes.sql<{ command_id: string; n: string }>("SELECT command_id, count(*) AS n FROM event_store.events WHERE entity = 'inspection' GROUP BY command_id HAVING count(*) > 1");

  beforeAll(async () => {
    takes = await startTakes('client_e2e');
    const login = await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost', password: 'changeme' } });
    admin = login.body.data.access_token;
    refresh = login.body.data.refresh_token;
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: INSPECTION })).status).toBe(201);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await takes?.close();
  });

  it.each([
    ['the first device syncs first', false],
    ['the second device syncs first', true],
  ])('two devices edit one record offline; %s; both converge on the server state, every value one of its takes', async (_order, secondFirst) => {
    const tablet = await client();
    const laptop = await client();
    const handle = await tablet.create('inspection', { site: 'north compressor', pressure: 41.5 });
    await handle.save();
    await laptop.sync();
    expect(laptop.get('inspection', handle.id)).toEqual({ id: handle.id, site: 'north compressor', pressure: 41.5, status: 'draft' });

    tablet.setOnline(false);
    laptop.setOnline(false);
    await handle.update({ pressure: 40 });
    await handle.update({ status: 'done' });
    const other = laptop.record('inspection', handle.id);
    // The laptop's edit is made after the tablet's (a later submit time, not the same millisecond).
    await clockPast(tablet.pendingOf('inspection', handle.id).at(-1)!.submit_ts);
    await other.update({ pressure: 39, site: 'north compressor 2' });
    expect(other.state).toMatchObject({ pressure: 39, site: 'north compressor 2', status: 'draft' });
    await expect(tablet.sync()).rejects.toThrow('network error');

    const [first, second] = secondFirst ? [laptop, tablet] : [tablet, laptop];
    first.setOnline(true);
    await first.sync();
    second.setOnline(true);
    await second.sync();
    await first.sync();

    const server = (await takes.api('GET', `/api/main/inspection/${handle.id}`, { token: admin })).body.data;
    expect(tablet.get('inspection', handle.id)).toEqual(server);
    expect(laptop.get('inspection', handle.id)).toEqual(server);
    expect(server).toMatchObject({ status: 'done', site: 'north compressor 2', pressure: 39 });
    // Both changed pressure offline: contested, and the later submit (the second device's edit, made later) wins until a reviewer picks.
    const fields = await history(handle.id);
    const pressure = fields.find((f) => f.field === '/pressure')!;
    expect(pressure.takes.map((t) => t.value)).toEqual(expect.arrayContaining([41.5, 40, 39]));
    for (const field of fields) expect(field.takes.map((t) => t.value)).toContainEqual(server[field.field.slice(1)]);
    expect(handle.version).toBe(other.version);
    expect(handle.pending + other.pending).toBe(0);
    expect(await appliedTwice()).toEqual([]);
  });

  it('the event store killed mid-sync and started again: every edit applied once, none lost', async () => {
    const device = await client({ batchSize: 20 });
    device.setOnline(false);
    const handles = [];
    for (let r = 0; r < 30; r += 1) handles.push(await device.create('inspection', { site: `site ${r}`, pressure: r }));
    for (let round = 1; round <= 5; round += 1) for (const h of handles) await h.update({ pressure: round * 100 + Number(h.state!.pressure) % 100 });
    const edits = device.status.pending;
    expect(edits).toBe(180);
    const before = await takes.recordEventCount();
    device.setOnline(true);
    const syncing = device.sync().catch((error: Error) => error);
    await eventually(async () => expect(await takes.recordEventCount()).toBeGreaterThan(before + 20), 20_000, 5);
    await takes.store.kill();
    expect(await syncing).toBeInstanceOf(Error);
    expect(device.status.pending).toBeGreaterThan(0);
    await takes.startStore();
    await eventually(() => expect(device.status.pending).toBe(0), 60_000);
    expect((await takes.recordEventCount()) - before).toBe(edits);
    expect(await appliedTwice()).toEqual([]);
    await device.sync();
    for (const h of handles) expect(h.state).toEqual((await takes.api('GET', `/api/main/inspection/${h.id}`, { token: admin })).body.data);
  });

  it('the connection cut while a batch is answered: the batch is sent again and applied once', async () => {
    const proxy = await createTcpProxy(takes.gateway.httpPort);
    try {
      const device = await client({ baseUrl: `http://127.0.0.1:${proxy.port}`, batchSize: 100 });
      device.setOnline(false);
      for (let r = 0; r < 60; r += 1) await device.create('inspection', { site: `cut ${r}` });
      const before = await takes.recordEventCount();
      device.setOnline(true);
      const syncing = device.sync().catch((error: Error) => error);
      await eventually(async () => expect(await takes.recordEventCount()).toBeGreaterThan(before), 20_000, 2);
      await proxy.cut();
      expect(await syncing).toBeInstanceOf(Error);
      await proxy.restore();
      await eventually(() => expect(device.status.pending).toBe(0), 30_000);
      expect((await takes.recordEventCount()) - before).toBe(60);
      expect(await appliedTwice()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a device killed in the middle of a flush: reopened on its file, it sends the rest, each edit applied once', async () => {
    const file = path.join(fileDir(), 'takes.json');
    const before = await takes.recordEventCount();
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../../dist/libs/testing/src/client-flush-child.js')], {
      env: { ...process.env, TAKES_URL: takes.baseUrl, TAKES_TOKEN: admin, TAKES_FILE: file, TAKES_RECORDS: '400', TAKES_BATCH: '5' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => (ready ||= chunk.toString().includes('flushing')));
    await eventually(() => expect(ready).toBe(true), 20_000);
    await eventually(async () => expect(await takes.recordEventCount()).toBeGreaterThan(before + 30), 20_000, 2);
    child.kill('SIGKILL');
    await exited;
    const sent = (await takes.recordEventCount()) - before;
    expect(sent).toBeLessThan(400);

    const reopened = await client({ storage: await FileStorage.open(file) });
    expect(reopened.status.pending).toBeGreaterThanOrEqual(400 - sent);
    await reopened.sync();
    expect(reopened.status.pending).toBe(0);
    expect((await takes.recordEventCount()) - before).toBe(400);
    expect(await appliedTwice()).toEqual([]);
    expect(reopened.list('inspection', (r) => String(r.site).startsWith('flush '))).toHaveLength(400);
  });

  it('an expired access token is refreshed once and the request retried; the new pair is handed over', async () => {
    const tokens: string[] = [];
    const login = await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost', password: 'changeme' } });
    const device = await client({ tokens: { access_token: 'not-a-token', refresh_token: login.body.data.refresh_token }, onTokens: (t) => tokens.push(t.access_token) });
    await device.create('inspection', { site: 'refreshed' });
    await device.sync();
    expect(tokens).toHaveLength(1);
    expect(device.status.pending).toBe(0);
    expect(device.list('inspection', (r) => r.site === 'refreshed')).toHaveLength(1);
  });

  it('an edit the server refuses leaves the outbox with its error, and the local state falls back to the server', async () => {
    const device = await client();
    const results: EditResult[] = [];
    device.on('result', (r) => results.push(r));
    const good = await device.create('inspection', { site: 'ok', pressure: 1 });
    await good.save();
    await good.update({ status: 'nonsense' as never });
    expect(good.state?.status).toBe('nonsense');
    await good.save();
    expect(results.at(-1)!.result).toMatchObject({ outcome: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    expect(good.pending).toBe(0);
    expect(good.state?.status).toBe('draft');
  });

  it('remote changes reach a subscription; local edits pending on top of them survive the pull (rebase)', async () => {
    const a = await client();
    const b = await client();
    const handle = await a.create('inspection', { site: 'shared', pressure: 10 });
    await handle.save();
    await b.sync();
    const seen: unknown[] = [];
    b.subscribe<Record<string, unknown>>('inspection', handle.id, (state) => seen.push(state?.pressure));
    const local = b.record('inspection', handle.id);
    await local.update({ site: 'b local' });
    await handle.update({ pressure: 11 });
    await handle.save();
    await b.pull();
    // The remote pressure arrived under the local site edit, which is still pending.
    expect(seen).toEqual([10, 10, 11]);
    expect(local.state).toMatchObject({ site: 'b local', pressure: 11 });
    expect(local).toMatchObject({ version: 2, pending: 1 });
    expect(await lastEvent(handle.id)).toMatchObject({ version: 2 });
    await local.save();
    expect(local).toMatchObject({ version: 3, pending: 0 });
    expect(await lastEvent(handle.id)).toMatchObject({ version: 3, type: 'merged' });
    expect(a.get('inspection', handle.id)).toMatchObject({ site: 'shared' });
    await a.sync();
    expect(a.get('inspection', handle.id)).toEqual(b.get('inspection', handle.id));
  });
});
