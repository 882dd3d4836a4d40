/**
 * npm run bench:append — appends/s, latency and CPU per append of the event store over
 * NATS request/reply, beside a raw PostgreSQL baseline doing the same SQL with one
 * transaction per append and beside a peer library, Emmett's PostgreSQL event store
 * (appendToStream, one event per append), on the same server in the same run. All three
 * are durable: the script prints synchronous_commit and fsync, and every append is
 * acknowledged only after its COMMIT returned. CPU per append counts every process that
 * takes part: this script, PostgreSQL's, and for the event store its process and
 * nats-server.
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
import { openEmmett } from './emmett-append';
import { cpuByPid, cpuSince, pidsNamed } from './process-cpu';
import { runClosedLoop, table, type RunFigures } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const POOL_MAX = 16;
const user = { id: 'bench', roles: ['admin'] };

/** The processes a side's CPU is counted over besides this script and PostgreSQL's. */
type Processes = Record<string, number[]>;

/** Measures the CPU (ms) this script, PostgreSQL and the given processes use while `run` runs. */
async function withCpu<T>(processes: Processes, run: () => Promise<T>): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const groups = (): Processes => ({ ...processes, postgres: pidsNamed('postgres') });
  const before = Object.fromEntries(Object.entries(groups()).map(([name, pids]) => [name, cpuByPid(pids)]));
  const self = process.cpuUsage();
  const result = await run();
  const own = process.cpuUsage(self);
  const cpuMs: Record<string, number> = { script: (own.user + own.system) / 1_000 };
  for (const [name, pids] of Object.entries(groups())) cpuMs[name] = cpuSince(before[name], cpuByPid(pids));
  return { result, cpuMs };
}

async function main(): Promise<void> {
  const testDb = await createTestDatabase('bench_append');
  const stream = await createTestStream();
  const migrator = createDatabase({ url: testDb.url });
  await migrateSchema(migrator.db, { url: testDb.url, schema: EVENT_STORE_SCHEMA, migrations: eventStoreMigrations });
  await migrator.close();
  const store = await startService('event-store', {
    env: {
      ...serviceEnv(testDb, stream),
      TAKES_EVENT_STORE_POOL_MAX: String(POOL_MAX),
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
  const emmett = await openEmmett(testDb.url, POOL_MAX);
  const storeProcesses = { store: [store.child.pid!], nats: pidsNamed('nats-server') };
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
      const raw = await withCpu({}, () => runClosedLoop(clients, SECONDS, async (w) => {
        rawVersions[w] += 1;
        await rawAppend(pool[w], rawIds[w], rawVersions[w], { n: rawVersions[w] });
        return true;
      }));
      await Promise.all(pool.map((c) => c.end()));

      // (b) the event store over NATS request/reply, same shape of work.
      const ids = Array.from({ length: clients }, () => randomUUID());
      const versions = new Array<number>(clients).fill(0);
      const viaStore = await withCpu(storeProcesses, () => runClosedLoop(clients, SECONDS, async (w) => {
        const command: AppendCommand = versions[w] === 0
          ? { v: 1, command_id: randomUUID(), app: 'main', entity: 'bench', entity_id: ids[w], op: 'create', data: { n: 0 }, user }
          : { v: 1, command_id: randomUUID(), app: 'main', entity: 'bench', entity_id: ids[w], op: 'put', base_version: versions[w], data: { n: versions[w] }, user };
        const reply = await requestJson<{ version: number }>(stream.nc, s.command('main', 'bench'), command, { timeoutMs: 10_000 });
        if ('data' in reply) {
          versions[w] = reply.data.version;
          return true;
        }
        return false;
      }));

      // (c) Emmett: one event per appendToStream, expected version checked.
      const emmettIds = Array.from({ length: clients }, () => `bench-${randomUUID()}`);
      const emmettVersions = new Array<bigint>(clients).fill(0n);
      const viaEmmett = await withCpu({}, () => runClosedLoop(clients, SECONDS, async (w) => {
        emmettVersions[w] = await emmett.append(emmettIds[w], emmettVersions[w], Number(emmettVersions[w]));
        return true;
      }));
      rows.push(row(clients, 'raw pg', raw, raw), row(clients, 'event store', viaStore, raw, viaEmmett), row(clients, 'emmett', viaEmmett, raw));
    }
  } finally {
    await probe.end();
    await emmett.close();
    await store.stop();
    await stream.cleanup();
    await testDb.drop();
  }
  const when = new Date().toISOString();
  process.stdout.write(`\nappend benchmark — ${when}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
  process.stdout.write(`PostgreSQL: ${settings.map((r) => `${r.name}=${r.setting}`).join(', ')}\n`);
  process.stdout.write(`${SECONDS}s per run, closed loops, every append acknowledged after COMMIT; pools of ${POOL_MAX} connections\n`);
  process.stdout.write('CPU ms/append: this script + every PostgreSQL process (+ the event store and nats-server for its side), then each alone\n\n');
  process.stdout.write(`${table(rows)}\n`);
}

interface Measured {
  result: RunFigures;
  cpuMs: Record<string, number>;
}

function row(clients: number, side: string, measured: Measured, raw: Measured, emmett?: Measured): Record<string, string | number> {
  const figures = measured.result;
  const perAppend = (ms: number) => (ms / Math.max(1, figures.ops)).toFixed(2);
  return {
    clients,
    side,
    'appends/s': Math.round(figures.perSecond),
    'p50 ms': figures.p50.toFixed(2),
    'p99 ms': figures.p99.toFixed(2),
    'CPU ms/append': perAppend(Object.values(measured.cpuMs).reduce((a, b) => a + b, 0)),
    ...Object.fromEntries(['script', 'postgres', 'store', 'nats'].map((name) => [name, name in measured.cpuMs ? perAppend(measured.cpuMs[name]) : ''])),
    errors: figures.errors,
    '× raw pg': (figures.perSecond / raw.result.perSecond).toFixed(2),
    '× emmett': emmett ? (figures.perSecond / emmett.result.perSecond).toFixed(2) : '',
  };
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
