/**
 * npm run bench:rules — what Rocket's business logic costs a write: appends/s, latency
 * and CPU per append of the event store over NATS for an invoice entity with 5 field
 * rules, 2 expression rules, a computed field and a state machine, beside the same
 * entity without them, in the same run on the same servers. CPU is read from /proc for
 * the event store process and for the PostgreSQL backends serving this run's database
 * (other databases' work on a shared server is not counted; nor are PostgreSQL's shared
 * background writers).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { subjects, type AppendCommand } from '@takes/contracts';
import { requestJson } from '@takes/bus';
import { createDatabase, migrateSchema } from '@takes/db';
import { createTestDatabase, createTestStream, serviceEnv, startService } from '@takes/testing';
import { EVENT_STORE_SCHEMA, eventStoreMigrations } from '../services/event-store/src/migrations';
import { Client } from 'pg';
import { processCpuMs } from './process-cpu';
import { runClosedLoop, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,32').split(',').map(Number);
const user = { id: 'bench', roles: ['admin'] };

const fields = [
  { name: 'id', type: 'string' },
  { name: 'customer', type: 'string' },
  { name: 'status', type: 'string', nullable: true },
  { name: 'quantity', type: 'int' },
  { name: 'price', type: 'decimal', precision: 2 },
  { name: 'discount', type: 'decimal', precision: 2, nullable: true },
  { name: 'total', type: 'decimal', precision: 2, nullable: true },
  { name: 'note', type: 'string', nullable: true },
];
const entity = (name: string) => ({ name, table: name, primary_key: { field: 'id', type: 'string', generated: false }, fields });
const RULES = [
  { type: 'field', definition: { field: 'quantity', operator: 'min', value: 1 } },
  { type: 'field', definition: { field: 'quantity', operator: 'max', value: 1_000_000 } },
  { type: 'field', definition: { field: 'customer', operator: 'min_length', value: 2 } },
  { type: 'field', definition: { field: 'customer', operator: 'max_length', value: 200 } },
  { type: 'field', definition: { field: 'note', operator: 'pattern', value: '^[^<>]*$' } },
  { type: 'expression', definition: { expression: 'record.quantity * record.price > 1000000000', message: 'too large' } },
  { type: 'expression', definition: { expression: "record.discount != nil && record.discount > record.price", message: 'discount above price' } },
  { type: 'computed', definition: { field: 'total', expression: 'record.quantity * record.price' } },
];
const MACHINE = { field: 'status', definition: { initial: 'draft', transitions: [{ from: 'draft', to: 'sent' }, { from: 'sent', to: 'draft' }] } };

async function main(): Promise<void> {
  const testDb = await createTestDatabase('bench_rules');
  const stream = await createTestStream();
  const migrator = createDatabase({ url: testDb.url });
  await migrateSchema(migrator.db, { url: testDb.url, schema: EVENT_STORE_SCHEMA, migrations: eventStoreMigrations });
  await migrator.close();
  const store = await startService('event-store', { env: { ...serviceEnv(testDb, stream), TAKES_EVENT_STORE_POOL_MAX: '16' }, httpPortVar: 'TAKES_EVENT_STORE_HTTP_PORT' });
  const s = subjects(stream.prefix);
  const define = async (key: string, data: object) => {
    const reply = await requestJson(stream.nc, s.command('main', '_meta'), { v: 1, command_id: randomUUID(), app: 'main', entity: '_meta', entity_id: key, op: 'define', data, user });
    if (!('data' in reply)) throw new Error(`cannot define ${key}: ${JSON.stringify(reply)}`);
  };
  await define('entity:plain', entity('plain'));
  await define('entity:ruled', entity('ruled'));
  for (const [i, rule] of RULES.entries()) await define(`rule:r${i}`, { id: `r${i}`, entity: 'ruled', hook: 'before_write', priority: i, active: true, ...rule });
  await define('state_machine:m', { id: 'm', entity: 'ruled', active: true, ...MACHINE });

  const probe = new Client({ connectionString: testDb.url });
  await probe.connect();
  const backendsCpu = async () => {
    const { rows } = await probe.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return new Map(rows.map((r) => [r.pid, safeCpu(r.pid)]));
  };
  const rows: Record<string, string | number>[] = [];
  try {
    for (const clients of CLIENTS) {
      for (const name of ['plain', 'ruled']) {
        const ids = Array.from({ length: clients }, () => randomUUID());
        const versions = new Array<number>(clients).fill(0);
        const storeBefore = processCpuMs(store.child.pid!);
        const pgBefore = await backendsCpu();
        const figures = await runClosedLoop(clients, SECONDS, async (w) => {
          const data = { customer: `customer ${w}`, quantity: 1 + (versions[w] % 50), price: '12.50', discount: '1.25', note: `edit ${versions[w]}`, ...(versions[w] === 0 ? { id: ids[w] } : { status: versions[w] % 2 === 1 ? 'sent' : 'draft' }) };
          const command: AppendCommand = versions[w] === 0
            ? { v: 1, command_id: randomUUID(), app: 'main', entity: name, entity_id: ids[w], op: 'create', data, user }
            : { v: 1, command_id: randomUUID(), app: 'main', entity: name, entity_id: ids[w], op: 'put', base_version: versions[w], data, user };
          const reply = await requestJson<{ version: number }>(stream.nc, s.command('main', name), command, { timeoutMs: 10_000 });
          if (!('data' in reply)) return false;
          versions[w] = reply.data.version;
          return true;
        });
        const storeMs = processCpuMs(store.child.pid!) - storeBefore;
        if (name === 'ruled') {
          // The rules ran: the computed total and the state machine's state are on the record.
          const { rows: [sample] } = await probe.query<{ state: Record<string, unknown> }>("SELECT state FROM event_store.streams WHERE entity = 'ruled' AND version > 1 LIMIT 1");
          if (!sample || sample.state.total === undefined || sample.state.total === null) throw new Error(`rules did not run: ${JSON.stringify(sample?.state)}`);
        }
        const pgAfter = await backendsCpu();
        const pgMs = [...pgAfter].reduce((sum, [pid, ms]) => sum + ms - (pgBefore.get(pid) ?? 0), 0);
        rows.push({
          clients,
          entity: name === 'plain' ? 'no rules' : '5 field, 2 expression, 1 computed, 1 state machine',
          'appends/s': Math.round(figures.perSecond),
          'p50 ms': figures.p50.toFixed(2),
          'p99 ms': figures.p99.toFixed(2),
          errors: figures.errors,
          'store CPU ms/append': (storeMs / Math.max(figures.ops, 1)).toFixed(3),
          'PostgreSQL CPU ms/append': (pgMs / Math.max(figures.ops, 1)).toFixed(3),
        });
      }
    }
  } finally {
    await probe.end();
    await store.stop();
    await stream.cleanup();
    await testDb.drop();
  }
  process.stdout.write(`\nrules benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`${SECONDS}s per run, closed loops over NATS request/reply, every append acknowledged after COMMIT\n\n${table(rows)}\n`);
}

function safeCpu(pid: number): number {
  try {
    return processCpuMs(pid);
  } catch {
    return 0;
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
