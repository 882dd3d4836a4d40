/**
 * npm run bench:write — durable writes/s and latency through HTTP → gateway → NATS →
 * event store → PostgreSQL at 32 connections (autocannon, keep-alive), beside the raw
 * PostgreSQL baseline (the same statements, one transaction per append, with pg) in the
 * same run, on the same server.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { createDatabase, migrateSchema } from '@takes/db';
import { createTestDatabase, createTestStream, serviceEnv, startService } from '@takes/testing';
import { EVENT_STORE_SCHEMA, eventStoreMigrations } from '../services/event-store/src/migrations';
import { rawAppend } from './raw-append';
import { runClosedLoop, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

async function main(): Promise<void> {
  const testDb = await createTestDatabase('bench_write');
  const stream = await createTestStream();
  const migrator = createDatabase({ url: testDb.url });
  await migrateSchema(migrator.db, { url: testDb.url, schema: EVENT_STORE_SCHEMA, migrations: eventStoreMigrations });
  await migrator.close();
  const env = serviceEnv(testDb, stream);
  const store = await startService('event-store', { env: { ...env, TAKES_EVENT_STORE_POOL_MAX: '16' }, httpPortVar: 'TAKES_EVENT_STORE_HTTP_PORT' });
  const gateway = await startService('gateway', { env: { ...env, TAKES_RATE_LIMIT: '1000000' }, httpPortVar: 'TAKES_PORT' });
  const base = `http://127.0.0.1:${gateway.httpPort}`;
  try {
    const login = (await (await fetch(`${base}/api/main/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password: 'changeme' }) })).json()) as { data: { access_token: string } };
    const token = login.data.access_token as string;
    const entity = { name: 'reading', table: 'readings', fields: [{ name: 'id', type: 'uuid' }, { name: 'site', type: 'string' }, { name: 'value', type: 'int' }] };
    const defined = await fetch(`${base}/api/main/_admin/entities`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(entity) });
    if (defined.status !== 201) throw new Error(`cannot define the entity: ${defined.status}`);

    // (a) raw PostgreSQL, one transaction per append, CONNECTIONS clients.
    const clients = await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      const c = new Client({ connectionString: testDb.url });
      await c.connect();
      return c;
    }));
    const ids = clients.map(() => randomUUID());
    const versions = clients.map(() => 0);
    const raw = await runClosedLoop(CONNECTIONS, SECONDS, async (w) => {
      versions[w] += 1;
      await rawAppend(clients[w], ids[w], versions[w], { value: versions[w] });
      return true;
    });
    await Promise.all(clients.map((c) => c.end()));

    // (b) HTTP creates through the gateway, keep-alive connections, each request a new record.
    let n = 0;
    const result = await autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/api/main/reading',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ site: 'north', value: (n += 1) }) }),
        },
      ],
    });
    const http = {
      perSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.non2xx + result.errors + result.timeouts,
    };
    const probe = new Client({ connectionString: testDb.url });
    await probe.connect();
    const settings = (await probe.query("SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync')")).rows;
    const stored = Number((await probe.query("SELECT count(*) AS n FROM event_store.events WHERE entity = 'reading'")).rows[0].n);
    await probe.end();

    process.stdout.write(`\nwrite benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), node ${process.version}\n`);
    process.stdout.write(`PostgreSQL: ${settings.map((r) => `${r.name}=${r.setting}`).join(', ')}; ${CONNECTIONS} connections, ${SECONDS}s each; every write acknowledged after COMMIT\n\n`);
    process.stdout.write(`${table([
      { side: 'raw pg (one transaction per append)', 'writes/s': Math.round(raw.perSecond), 'p50 ms': raw.p50.toFixed(2), 'p99 ms': raw.p99.toFixed(2), errors: raw.errors, ratio: '' },
      { side: 'HTTP → gateway → NATS → event store', 'writes/s': Math.round(http.perSecond), 'p50 ms': http.p50.toFixed(2), 'p99 ms': http.p99.toFixed(2), errors: http.errors, ratio: (http.perSecond / raw.perSecond).toFixed(2) },
    ])}\n`);
    process.stdout.write(`events stored by the HTTP run: ${stored} (2xx answers: ${result['2xx']})\n`);
  } finally {
    await gateway.stop();
    await store.stop();
    await stream.cleanup();
    await testDb.drop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
