import { Client } from 'pg';
import { subjects, type AppendCommand, type AppendResult, type Reply, type Subjects } from '@takes/contracts';
import { requestJson } from '@takes/bus';
import { createTestDatabase, createTestStream, serviceEnv, startService, type ServiceProcess, type TestDatabase, type TestStream } from '@takes/testing';
import { defineTestEntity } from './test-entity';

/** Event-store processes on a database and stream of their own, driven over NATS as a client would. */
export interface StoreCluster {
  testDb: TestDatabase;
  stream: TestStream;
  subjects: Subjects;
  processes: ServiceProcess[];
  start(env?: Record<string, string>): Promise<ServiceProcess>;
  send(command: AppendCommand, timeoutMs?: number): Promise<Reply<AppendResult>>;
  request<T>(subject: string, body: unknown, timeoutMs?: number): Promise<Reply<T>>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  eventCount(): Promise<number>;
  /** Defines the suites' entities (inspection, other); once at least one process runs. */
  defineEntities(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Sends a command until it is answered (while store processes are killed and started):
 * the same command id makes every retry safe. An answer other than UNAVAILABLE throws.
 */
export async function sendUntilAnswered(cluster: StoreCluster, command: AppendCommand): Promise<AppendResult> {
  for (;;) {
    const reply: Reply<AppendResult> = await cluster.send(command, 2_000);
    if ('data' in reply) return reply.data;
    if (reply.error.code !== 'UNAVAILABLE') throw new Error(`${command.command_id}: ${JSON.stringify(reply.error)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `count` event-store processes (more can be started later with `start`). */
export async function startStoreCluster(label: string, count: number, env: Record<string, string> = {}): Promise<StoreCluster> {
  const testDb = await createTestDatabase(label);
  const stream = await createTestStream();
  const pg = new Client({ connectionString: testDb.url });
  await pg.connect();
  const s = subjects(stream.prefix);
  const processes: ServiceProcess[] = [];
  const baseEnv = { ...serviceEnv(testDb, stream), ...env };
  const cluster: StoreCluster = {
    testDb,
    stream,
    subjects: s,
    processes,
    start: async (extra = {}) => {
      const process = await startService('event-store', { env: { ...baseEnv, ...extra }, httpPortVar: 'TAKES_EVENT_STORE_HTTP_PORT' });
      processes.push(process);
      return process;
    },
    send: (command, timeoutMs = 10_000) => requestJson<AppendResult>(stream.nc, s.command(command.app, command.entity), command, { timeoutMs }),
    request: (subject, body, timeoutMs = 10_000) => requestJson(stream.nc, subject, body, { timeoutMs }),
    sql: async (text, params = []) => (await pg.query(text, params)).rows,
    eventCount: async () => Number((await pg.query("SELECT count(*) AS n FROM event_store.events WHERE entity <> '_meta'")).rows[0].n),
    defineEntities: async () => {
      for (const name of ['inspection', 'other']) {
        const reply = await cluster.send(defineTestEntity(name));
        if (!('data' in reply)) throw new Error(`cannot define ${name}: ${JSON.stringify(reply)}`);
      }
    },
    close: async () => {
      await Promise.all(processes.map((p) => p.stop()));
      await pg.end();
      await stream.cleanup();
      await testDb.drop();
    },
  };
  // Start them one after another: the first migrates, the others find it done.
  for (let i = 0; i < count; i += 1) await cluster.start();
  if (count > 0) await cluster.defineEntities();
  return cluster;
}
