/**
 * npm run bench:webhooks — webhook deliveries/s from the webhooks service to a local
 * receiver at 1, 8 and 32 endpoints (a backlog of events written while the service was
 * stopped, delivered once it starts: intake from the store, signing, one request each),
 * beside a plain node:http client sending the same number of signed requests to the same
 * receiver; and the write latency a sync hook adds, beside the same writes without one.
 * CPU per delivery, by process, from /proc: the webhooks process, this run's PostgreSQL
 * backends, this process (the receiver) and the other Takes services, counted from the
 * webhooks service's /ready to the last request received, over the deliveries in that time.
 * The baseline's CPU per request is this process's (the client and the receiver).
 */
import http from 'node:http';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { startTakes } from '@takes/testing';
import { newSecret, standardHeaders } from '@takes/webhooks';
import { cpuByPid, cpuSince, processCpuMs } from './process-cpu';
import { runClosedLoop, table } from './stats';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const ENDPOINTS = (process.env.BENCH_ENDPOINTS ?? '1,8,32').split(',').map(Number);

async function main(): Promise<void> {
  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  const takes = await startTakes('bench_webhooks', { TAKES_RATE_LIMIT: '1000000' }, { webhooksEnv: { TAKES_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.1', TAKES_WEBHOOKS_POLL: '100ms' } });
  const probe = new Client({ connectionString: takes.testDb.url });
  await probe.connect();
  try {
    const token = await takes.login();
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await takes.api(method, path, { token, body });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const backendsCpu = async () => {
      const { rows: backends } = await probe.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      return cpuByPid(backends.map((r) => r.pid));
    };
    const othersCpu = () => [takes.store, takes.gateway, takes.projector, takes.workflows].reduce((sum, s) => sum + processCpuMs(s.child.pid!), 0);
    const selfCpu = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1_000;
    };
    const entity = (name: string) => ({ name, table: `${name}s`, fields: [{ name: 'id', type: 'uuid' }, { name: 'value', type: 'int' }] });

    // (1) Deliveries/s from a backlog, at each endpoint count, beside a plain client.
    const rows: Record<string, string | number>[] = [];
    for (const k of ENDPOINTS) {
      const name = `burst${k}`;
      await api('POST', '/api/main/_admin/entities', entity(name));
      for (let i = 0; i < k; i += 1) await api('POST', '/api/main/_admin/webhooks', { entity: name, url: `http://127.0.0.1:${port}/${name}/${i}` });
      await takes.webhooks.stop();
      const events = Math.ceil(DELIVERIES / k);
      await runWrites(events, async () => void (await api('POST', `/api/main/${name}`, { id: randomUUID(), value: 1 })));
      received = 0;
      const started = performance.now();
      const webhooks = await takes.startWebhooks();
      const beforeReady = received;
      const cpuBefore = { webhooks: processCpuMs(webhooks.child.pid!), pg: await backendsCpu(), self: selfCpu(), others: othersCpu() };
      while (received < events * k) await new Promise((resolve) => setTimeout(resolve, 20));
      const seconds = (performance.now() - started) / 1_000;
      const counted = events * k - beforeReady;
      const pgAfter = await backendsCpu();
      const pgMs = cpuSince(cpuBefore.pg, pgAfter);
      const perDelivery = (ms: number) => (ms / counted).toFixed(3);
      const cpu = {
        webhooks: perDelivery(processCpuMs(webhooks.child.pid!) - cpuBefore.webhooks),
        pg: perDelivery(pgMs),
        self: perDelivery(selfCpu() - cpuBefore.self),
        others: perDelivery(othersCpu() - cpuBefore.others),
      };
      const selfBefore = selfCpu();
      const baseline = await plainClient(port, events * k, Math.min(32, k * 4));
      const baselineCpu = ((selfCpu() - selfBefore) / (events * k)).toFixed(3);
      rows.push({
        endpoints: k,
        deliveries: events * k,
        'before /ready': beforeReady,
        'service/s': Math.round((events * k) / seconds),
        'CPU ms/delivery webhooks + PostgreSQL + receiver + other services': `${cpu.webhooks} + ${cpu.pg} + ${cpu.self} + ${cpu.others}`,
        'plain client/s': Math.round(baseline),
        'CPU ms/request client + receiver': baselineCpu,
        ratio: ((events * k) / seconds / baseline).toFixed(2),
      });
    }

    // (2) Write latency with and without a sync hook (answering 204 at once).
    await api('POST', '/api/main/_admin/entities', entity('plain'));
    await api('POST', '/api/main/_admin/entities', entity('hooked'));
    await api('POST', '/api/main/_admin/webhooks', { entity: 'hooked', hook: 'before_write', url: `http://127.0.0.1:${port}/sync` });
    const write = (name: string) => async () => (await takes.api('POST', `/api/main/${name}`, { token, body: { id: randomUUID(), value: 1 } })).status === 201;
    const plain = await runClosedLoop(WRITERS, SECONDS, write('plain'));
    const hooked = await runClosedLoop(WRITERS, SECONDS, write('hooked'));

    process.stdout.write(`\nwebhooks benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    process.stdout.write(`deliveries: a backlog written while the service was stopped, timed from its start to the last request received; per-endpoint concurrency 4 (the default), 32 workers\n`);
    process.stdout.write(`CPU from /proc, from the service's /ready to the last request received, over the deliveries after /ready; receiver = this process; other services = store, gateway, projector, workflows; baseline: this process (client and receiver)\n\n`);
    process.stdout.write(`${table(rows)}\n\n`);
    process.stdout.write(`writes (${WRITERS} closed-loop writers, ${SECONDS}s each): a create through the gateway, with and without a before_write hook\n\n`);
    process.stdout.write(`${table([
      { writes: 'no hook', 'writes/s': Math.round(plain.perSecond), 'p50 ms': plain.p50.toFixed(2), 'p99 ms': plain.p99.toFixed(2), errors: plain.errors, 'added p50 ms': '' },
      { writes: 'before_write hook', 'writes/s': Math.round(hooked.perSecond), 'p50 ms': hooked.p50.toFixed(2), 'p99 ms': hooked.p99.toFixed(2), errors: hooked.errors, 'added p50 ms': (hooked.p50 - plain.p50).toFixed(2) },
    ])}\n`);
  } finally {
    await probe.end();
    await takes.close();
    receiver.close();
  }
}

/** Runs `count` writes, 16 at a time. */
async function runWrites(count: number, write: () => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count) {
      next += 1;
      await write();
    }
  }));
}

/** The baseline: the same number of signed POSTs from this process, a new connection each (as the service makes them), `concurrency` at once. */
async function plainClient(port: number, count: number, concurrency: number): Promise<number> {
  const secret = newSecret();
  const body = JSON.stringify({ event: 'after_write', entity: 'bench', record: { id: randomUUID(), value: 1 } });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next += 1;
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...standardHeaders([secret], `msg_${next}`, Math.floor(Date.now() / 1000), body) };
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/plain', method: 'POST', headers, agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(body);
      });
    }
  }));
  return count / ((performance.now() - started) / 1_000);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
