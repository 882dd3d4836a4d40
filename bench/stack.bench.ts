/**
 * npm run bench:stack — durable writes through the whole of Takes as `npm start` runs it
 * (gateway, event store with its relay, projector, conflicts, webhooks, workflows, each a
 * process, on a database, stream and subject prefix of their own), beside raw PostgreSQL
 * in the same run: HTTP creates and updates of an 11-field record (node:http keep-alive
 * clients, closed loops) at 1, 8 and 32 connections. For each: writes/s, p50/p99, the
 * write→read-table lag, and CPU milliseconds per write of every process (read from
 * /proc/<pid>/stat before and after, per process), nats-server and PostgreSQL included. It checks
 * that every acknowledged write reached the read table.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import { Header } from '@takes/contracts';
import { startTakes, type ServiceProcess } from '@takes/testing';
import { cpuByPid, cpuSince, pidsNamed, processCpuMs } from './process-cpu';
import { rawAppend } from './raw-append';
import { percentile, runClosedLoop, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEVELS = (process.env.BENCH_CONNECTIONS ?? '1,8,32').split(',').map(Number);

const SURVEY = {
  name: 'survey',
  table: 'surveys',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site', type: 'string', required: true },
    { name: 'pressure', type: 'decimal', precision: 2 },
    { name: 'temperature', type: 'decimal', precision: 1 },
    { name: 'status', type: 'string', enum: ['draft', 'done', 'checked'], default: 'draft' },
    { name: 'readings', type: 'json' },
    { name: 'inspected_on', type: 'date' },
    { name: 'count', type: 'int' },
    { name: 'passed', type: 'boolean' },
    { name: 'created_at', type: 'timestamp', auto: 'create' },
    { name: 'updated_at', type: 'timestamp', auto: 'update' },
  ],
};

const body = (i: number) =>
  JSON.stringify({ site: `site ${i % 50}`, pressure: 40 + (i % 100) / 10, temperature: 21.5, status: 'draft', readings: { a: i, b: [1, 2, 3] }, inspected_on: '2026-12-03', count: i, passed: i % 2 === 0 });

interface Request {
  method: string;
  path: string;
  body?: string;
}

/** The service a backend serves, from its application_name (takes-<service>, or a service's own connection). */
function serviceOfBackend(applicationName: string): string {
  if (applicationName === 'takes-relay') return 'event-store';
  const name = applicationName.match(/^takes-([a-z-]+?)(?:-leader|-intake)?$/)?.[1];
  return name ?? 'other (background, this script)';
}

/** A keep-alive HTTP client: one socket, one request at a time (a closed loop). */
function client(port: number, token: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (request: Request) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: request.method, path: request.path, agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(request.body ?? '') } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(request.body ?? '');
    });
}

async function main(): Promise<void> {
  // The services log as `npm start` has them log (info: a line per request), unless told otherwise.
  process.env.TAKES_SERVICE_LOG_LEVEL ??= 'info';
  const takes = await startTakes('bench_stack', { TAKES_RATE_LIMIT: '1000000' });
  const probe = new Client({ connectionString: takes.testDb.url });
  await probe.connect();
  let stopWatching = async () => undefined as void;
  try {
    const token = await takes.login();
    const defined = await takes.api('POST', '/api/main/_admin/entities', { token, body: SURVEY });
    if (defined.status !== 201) throw new Error(`cannot define the entity: ${defined.status} ${JSON.stringify(defined.body)}`);
    const services: ServiceProcess[] = [takes.gateway, takes.store, takes.projector, takes.conflicts, takes.webhooks, takes.workflows];
    const nats = pidsNamed('nats-server');
    const measure = () => ({
      at: performance.now(),
      services: services.map((s) => processCpuMs(s.child.pid!)),
      nats: cpuByPid(nats),
      postgres: cpuByPid(pidsNamed('postgres')),
      self: (process.cpuUsage().user + process.cpuUsage().system) / 1_000,
    });
    const rows: Record<string, string | number>[] = [];
    const cpuRows: Record<string, string | number>[] = [];
    const postgresRows: Record<string, string | number>[] = [];
    // Which service each PostgreSQL backend of this database serves (pools are named takes-<service>).
    const backends = async () => {
      const { rows: found } = await probe.query<{ pid: number; application_name: string }>('SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database()');
      return new Map(found.map((row) => [row.pid, serviceOfBackend(row.application_name)]));
    };

    // What the stack costs doing nothing (polling, timers, heartbeats): CPU ms per second over 5 s idle.
    const idleBefore = measure();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idleAfter = measure();
    const idleSeconds = (idleAfter.at - idleBefore.at) / 1000;
    const idleRow: Record<string, string | number> = {
      ...Object.fromEntries(services.map((s, k) => [s.name, ((idleAfter.services[k] - idleBefore.services[k]) / idleSeconds).toFixed(0)])),
      'nats-server': (cpuSince(idleBefore.nats, idleAfter.nats) / idleSeconds).toFixed(0),
      postgres: (cpuSince(idleBefore.postgres, idleAfter.postgres) / idleSeconds).toFixed(0),
    };
    idleRow.total = Object.values(idleRow).reduce((sum: number, v) => sum + Number(v), 0);

    let maxRate = 0;
    for (const connections of LEVELS) {
      // (a) raw PostgreSQL: the event store's statements, one transaction per append, as many clients.
      const pgClients = await Promise.all(
        Array.from({ length: connections }, async () => {
          const c = new Client({ connectionString: takes.testDb.url });
          await c.connect();
          return c;
        }),
      );
      const rawIds = pgClients.map(() => randomUUID());
      const rawVersions = pgClients.map(() => 0);
      const pgBefore = cpuByPid(pidsNamed('postgres'));
      const selfBefore = process.cpuUsage();
      const raw = await runClosedLoop(connections, SECONDS, async (w) => {
        rawVersions[w] += 1;
        await rawAppend(pgClients[w], rawIds[w], rawVersions[w], JSON.parse(body(rawVersions[w])));
        return true;
      });
      const rawCpu = (cpuSince(pgBefore, cpuByPid(pidsNamed('postgres'))) + (process.cpuUsage(selfBefore).user + process.cpuUsage(selfBefore).system) / 1_000) / raw.ops;
      await Promise.all(pgClients.map((c) => c.end()));
      rows.push({ connections, run: 'raw PostgreSQL (node-pg)', 'writes/s': raw.perSecond.toFixed(0), 'p50 ms': raw.p50.toFixed(1), 'p99 ms': raw.p99.toFixed(1), 'CPU ms/write': rawCpu.toFixed(2) });

      // (b) the whole stack: each loop creates a record, then updates it, alternately.
      const send = Array.from({ length: connections }, () => client(takes.gateway.httpPort, token));
      const mine: Array<string | undefined> = Array.from({ length: connections }, () => undefined);
      let acked = 0;
      let created = 0;
      const before = measure();
      const backendsBefore = await backends();
      const run = await runClosedLoop(connections, SECONDS, async (w, i) => {
        const id = mine[w];
        const request: Request = id === undefined ? { method: 'POST', path: '/api/main/survey', body: body(i) } : { method: 'PUT', path: `/api/main/survey/${id}`, body: JSON.stringify({ pressure: 30 + (i % 100) / 10, status: 'done' }) };
        const answer = await send[w](request);
        if (answer.status >= 300) return false;
        acked += 1;
        const meta = JSON.parse(answer.body) as { data: { id: string }; meta: { position: number } };
        if (id === undefined) created += 1;
        mine[w] = id === undefined ? meta.data.id : undefined;
        return true;
      });
      const after = measure();
      const backendsAfter = new Map([...backendsBefore, ...(await backends())]);
      maxRate = Math.max(maxRate, run.perSecond);
      const perWrite = (ms: number) => (ms / acked).toFixed(2);
      const serviceCpu = services.map((s, k) => after.services[k] - before.services[k]);
      const natsCpu = cpuSince(before.nats, after.nats);
      const postgresCpu = cpuSince(before.postgres, after.postgres);
      const total = serviceCpu.reduce((a, b) => a + b, 0) + natsCpu + postgresCpu;
      rows.push({
        connections,
        run: 'Takes, whole stack (HTTP)',
        'writes/s': run.perSecond.toFixed(0),
        'p50 ms': run.p50.toFixed(1),
        'p99 ms': run.p99.toFixed(1),
        'CPU ms/write': perWrite(total),
      });
      rows.push({ connections, run: '  ratio to raw', 'writes/s': `${(run.perSecond / raw.perSecond).toFixed(2)}×`, 'p50 ms': '', 'p99 ms': '', 'CPU ms/write': `${(total / acked / rawCpu).toFixed(1)}×` });
      cpuRows.push({
        connections,
        ...Object.fromEntries(services.map((s, k) => [s.name, perWrite(serviceCpu[k])])),
        'nats-server': perWrite(natsCpu),
        postgres: perWrite(postgresCpu),
        total: perWrite(total),
        'load driver': perWrite(after.self - before.self),
        errors: run.errors,
      });
      const byService = new Map<string, number>();
      for (const [pid, now] of after.postgres) {
        const group = backendsAfter.get(pid) ?? 'other (background, this script)';
        byService.set(group, (byService.get(group) ?? 0) + now - (before.postgres.get(pid) ?? 0));
      }
      postgresRows.push({
        connections,
        ...Object.fromEntries([...services.map((s) => s.name), 'other (background, this script)'].map((name) => [name, perWrite(byService.get(name) ?? 0)])),
      });

      // Every acknowledged create is in the read table once the projector has caught up.
      const { rows: top } = await probe.query<{ p: string }>('SELECT max(position) AS p FROM event_store.events');
      for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const { rows: w } = await probe.query<{ position: string }>("SELECT position FROM projector.watermarks WHERE read_model = 'records'");
        if (Number(w[0].position) >= Number(top[0].p)) break;
      }
      const { rows: counted } = await probe.query<{ n: string }>('SELECT count(*) AS n FROM app_main.surveys');
      const inTable = Number(counted[0].n);
      const { rows: events } = await probe.query<{ n: string }>("SELECT count(*) AS n FROM event_store.events WHERE entity = 'survey' AND type IN ('created')");
      if (inTable !== Number(events[0].n)) throw new Error(`read table has ${inTable} surveys, the store ${events[0].n} creates`);
      if (created > inTable) throw new Error(`${created} creates acknowledged, ${inTable} in the read table`);
    }
    // Write→read-table lag at half the highest rate: creates paced over 16 connections, the
    // projector's watermark polled every millisecond (only in this phase: polling costs CPU).
    const rate = Math.max(1, maxRate / 2);
    const visibleAt = new Map<number, number>();
    const sampled: Array<{ position: number; acked: number }> = [];
    let watching = true;
    const watcher: Promise<void> = (async () => {
      while (watching) {
        const { rows: w } = await probe.query<{ position: string }>("SELECT position FROM projector.watermarks WHERE read_model = 'records'");
        const now = performance.now();
        const position = Number(w[0]?.position ?? 0);
        for (const sample of sampled) if (!visibleAt.has(sample.position) && sample.position <= position) visibleAt.set(sample.position, now);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    stopWatching = async () => {
      watching = false;
      await watcher.catch(() => undefined);
    };
    // Where each sampled write's lag went: the stream's own receive time of its event splits it in two.
    const jsm = await takes.stream.nc.jetstreamManager();
    const firstSeq = (await jsm.streams.info(takes.stream.stream)).state.last_seq + 1;
    const paced = Array.from({ length: 16 }, () => client(takes.gateway.httpPort, token));
    const lagStart = performance.now();
    let slot = 0;
    await Promise.all(
      paced.map(async (send) => {
        for (;;) {
          const due = lagStart + (slot++ * 1000) / rate;
          if (due > lagStart + SECONDS * 1000) return;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const answer = await send({ method: 'POST', path: '/api/main/survey', body: body(slot) });
          if (answer.status < 300) sampled.push({ position: (JSON.parse(answer.body) as { meta: { position: number } }).meta.position, acked: performance.now() });
        }
      }),
    );
    const lastPosition = Math.max(...sampled.map((x) => x.position), 0);
    const deadline = Date.now() + 30_000;
    while (!visibleAt.has(lastPosition) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await stopWatching();
    const lags = sampled.map((x) => (visibleAt.get(x.position) ?? NaN) - x.acked).sort((a, b) => a - b);
    const inStream = await streamTimes(takes.stream.nc, takes.stream.stream, firstSeq);
    // JetStream's times are the wall clock's; this script's are performance.now()'s.
    const wallAtZero = Date.now() - performance.now();
    const split = (of: (x: { position: number; acked: number }, streamAt: number) => number) =>
      sampled.filter((x) => inStream.has(x.position)).map((x) => of(x, inStream.get(x.position)! - wallAtZero)).sort((a, b) => a - b);
    const toStream = split((x, streamAt) => streamAt - x.acked);
    const toTable = split((x, streamAt) => (visibleAt.get(x.position) ?? NaN) - streamAt);
    const lagLine = `write→read-table lag at ${(sampled.length / SECONDS).toFixed(0)} creates/s (half the highest rate): p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms, ${sampled.length} writes
  of which answer→in the stream (JetStream's receive time; below 0 when published before the answer reached this script): p50 ${percentile(toStream, 50).toFixed(1)} ms, p99 ${percentile(toStream, 99).toFixed(1)} ms
  and in the stream→in the read table: p50 ${percentile(toTable, 50).toFixed(1)} ms, p99 ${percentile(toTable, 99).toFixed(1)} ms`;

    const settings = (await probe.query("SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'max_connections')")).rows;
    let natsVersion = '';
    try {
      natsVersion = execFileSync('nats-server', ['--version']).toString().trim();
    } catch {
      natsVersion = 'nats-server';
    }
    process.stdout.write(`\nwhole-stack write benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), node ${process.version}, ${natsVersion}\n`);
    process.stdout.write(`PostgreSQL: ${settings.map((r) => `${r.name}=${r.setting}`).join(', ')}; ${SECONDS}s per run; creates and updates alternate per connection; every write acknowledged after COMMIT\n\n`);
    process.stdout.write(`${table(rows)}\n\n${lagLine}\n\nidle, CPU ms per second:\n${table([idleRow])}\n\nCPU ms per acknowledged write, by process (the load driver is this script: HTTP clients, not part of Takes)\n${table(cpuRows)}\n\nof which PostgreSQL, by the service whose connection it served:\n${table(postgresRows)}\n`);
  } finally {
    await stopWatching();
    await probe.end();
    await takes.close();
  }
}

/**
 * When JetStream received each event from a sequence on (ms since the epoch), by
 * position: read until nothing is pending, or for 30 s at most (what was read by then).
 */
async function streamTimes(nc: NatsConnection, stream: string, fromSeq: number): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  const last = (await (await nc.jetstreamManager()).streams.info(stream)).state.last_seq;
  if (last < fromSeq) return times;
  const consumer = await nc.jetstream().consumers.get(stream, { opt_start_seq: fromSeq });
  const messages = await consumer.consume();
  const deadline = setTimeout(() => messages.stop(), 30_000);
  try {
    for await (const m of messages) {
      times.set(Number(m.headers?.get(Header.POSITION)), m.info.timestampNanos / 1e6);
      if (m.seq >= last || m.info.pending === 0) break;
    }
  } finally {
    clearTimeout(deadline);
    await messages.close();
  }
  return times;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
