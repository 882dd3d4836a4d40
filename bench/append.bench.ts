/**
 * npm run bench:append — appends/s and latency of the event store over NATS
 * request/reply, beside a raw PostgreSQL baseline doing the same SQL with one
 * transaction per append, on the same server in the same run. Both are durable: the
 * script prints synchronous_commit and fsync, and every append is acknowledged only
 * after its COMMIT returned.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { subjects, type AppendCommand } from '@takes/contracts';
import { requestJson } from '@takes/bus';
import { createDatabase, migrateSchema } from '@takes/db';
import { createTestDatabase, createTestStream, serviceEnv, startService } from '@takes/testing';
import { EVENT_STORE_SCHEMA, eventStoreMigrations } from '../services/event-store/src/migrations';
import { defineTestEntity } from '../services/event-store/src/testing/test-entity';
import { rawAppend } from './raw-append';
import { runClosedLoop, table, type RunFigures } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const user = { id: 'bench', roles: ['admin'] };

async function main(): Promise<void> {
  const testDb = await createTestDatabase('bench_append');
  const stream = await createTestStream();
  const migrator = createDatabase({ url: testDb.url });
  await migrateSchema(migrator.db, { url: testDb.url, schema: EVENT_STORE_SCHEMA, migrations: eventStoreMigrations });
  await migrator.close();
  const store = await startService('event-store', {
    env: {
      ...serviceEnv(testDb, stream),
      TAKES_EVENT_STORE_POOL_MAX: '16',
      TAKES_RELAY: process.env.BENCH_RELAY ?? 'on',
      ...(process.env.BENCH_LANES ? { TAKES_GROUP_COMMIT_LANES: process.env.BENCH_LANES } : {}),
    },
    httpPortVar: 'TAKES_EVENT_STORE_HTTP_PORT',
  });
  const s = subjects(stream.prefix);
  const defined = await requestJson(stream.nc, s.command('main', '_meta'), defineTestEntity('bench'));
  if (!('data' in defined)) throw new Error(`cannot define the bench entity: ${JSON.stringify(defined)}`);
  const probe = new Client({ connectionString: testDb.url });
  await probe.connect();
  const settings = (await probe.query("SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method', 'server_version')")).rows;
  const rows: Record<string, string | number>[] = [];
  try {
    for (const clients of CLIENTS) {
      // (a) raw PostgreSQL: one connection and one transaction per append.
      const pool = await Promise.all(Array.from({ length: clients }, async () => {
        const c = new Client({ connectionString: testDb.url });
        await c.connect();
        return c;
      }));
      const rawVersions = new Array<number>(clients).fill(0);
      const rawIds = Array.from({ length: clients }, () => randomUUID());
      const raw = await runClosedLoop(clients, SECONDS, async (w) => {
        rawVersions[w] += 1;
        await rawAppend(pool[w], rawIds[w], rawVersions[w], { n: rawVersions[w] });
        return true;
      });
      await Promise.all(pool.map((c) => c.end()));

      // (b) the event store over NATS request/reply, same shape of work.
      const ids = Array.from({ length: clients }, () => randomUUID());
      const versions = new Array<number>(clients).fill(0);
      const viaStore = await runClosedLoop(clients, SECONDS, async (w) => {
        const command: AppendCommand = versions[w] === 0
          ? { v: 1, command_id: randomUUID(), app: 'main', entity: 'bench', entity_id: ids[w], op: 'create', data: { n: 0 }, user }
          : { v: 1, command_id: randomUUID(), app: 'main', entity: 'bench', entity_id: ids[w], op: 'put', base_version: versions[w], data: { n: versions[w] }, user };
        const reply = await requestJson<{ version: number }>(stream.nc, s.command('main', 'bench'), command, { timeoutMs: 10_000 });
        if ('data' in reply) {
          versions[w] = reply.data.version;
          return true;
        }
        return false;
      });
      rows.push(row(clients, 'raw pg', raw), row(clients, 'event store', viaStore, raw));
    }
  } finally {
    await probe.end();
    await store.stop();
    await stream.cleanup();
    await testDb.drop();
  }
  const when = new Date().toISOString();
  process.stdout.write(`\nappend benchmark — ${when}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
  process.stdout.write(`PostgreSQL: ${settings.map((r) => `${r.name}=${r.setting}`).join(', ')}\n`);
  process.stdout.write(`${SECONDS}s per run, closed loops, every append acknowledged after COMMIT\n\n${table(rows)}\n`);
}

function row(clients: number, side: string, figures: RunFigures, baseline?: RunFigures): Record<string, string | number> {
  return {
    clients,
    side,
    'appends/s': Math.round(figures.perSecond),
    'p50 ms': figures.p50.toFixed(2),
    'p99 ms': figures.p99.toFixed(2),
    errors: figures.errors,
    'ratio b/a': baseline ? (figures.perSecond / baseline.perSecond).toFixed(2) : '',
  };
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
