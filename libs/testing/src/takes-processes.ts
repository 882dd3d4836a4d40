import { Client } from 'pg';
import { freePort } from './free-port';
import { startService, type ServiceProcess } from './service-process';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestStream, type TestStream } from './test-stream';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON); otherwise the body is JSON-encoded. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Takes as a client sees it: an event store and a gateway as processes, on a database and stream of their own. */
export interface TakesProcesses {
  testDb: TestDatabase;
  stream: TestStream;
  store: ServiceProcess;
  gateway: ServiceProcess;
  projector: ServiceProcess;
  /** The conflicts service: the takes over NATS, and the review page at `${conflictsUrl}/review/` (calling this gateway). */
  conflicts: ServiceProcess;
  conflictsUrl: string;
  /** The conflicts service's env: serviceEnv, the review page's gateway, and StartTakesOptions.conflictsEnv. */
  conflictsEnv: Record<string, string>;
  startConflicts(): Promise<ServiceProcess>;
  /** One workflows replica (a suite may stop it and start its own). */
  workflows: ServiceProcess;
  startProjector(): Promise<ServiceProcess>;
  /** The webhooks service (its env: serviceEnv plus StartTakesOptions.webhooksEnv). */
  webhooks: ServiceProcess;
  webhooksEnv: Record<string, string>;
  startWebhooks(): Promise<ServiceProcess>;
  baseUrl: string;
  api<T = any>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  login(app?: string, email?: string, password?: string): Promise<string>;
  startStore(): Promise<ServiceProcess>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Events of records (not metadata) in the store. */
  recordEventCount(): Promise<number>;
  close(): Promise<void>;
}

/** The settings every service reads to run on a test database and a test stream of its own. */
export function serviceEnv(testDb: TestDatabase, stream: TestStream): Record<string, string> {
  return {
    TAKES_DATABASE_URL: testDb.url,
    TAKES_NATS_URL: stream.url,
    TAKES_SUBJECT_PREFIX: stream.prefix,
    TAKES_STREAM_NAME: stream.stream,
    TAKES_STREAM_MAX_AGE: '1h',
  };
}

export interface StartTakesOptions {
  /** Settings of the webhooks service (an allow-list for a local receiver, short retry schedules). */
  webhooksEnv?: Record<string, string>;
  /** Settings of the conflicts service. */
  conflictsEnv?: Record<string, string>;
}

/** Starts the event store, the projector, the conflicts, webhooks and workflows services and the gateway as processes on a database and stream of their own. */
export async function startTakes(label: string, gatewayEnv: Record<string, string> = {}, options: StartTakesOptions = {}): Promise<TakesProcesses> {
  const testDb = await createTestDatabase(label);
  const stream = await createTestStream();
  const env = serviceEnv(testDb, stream);
  const startStore = () => startService('event-store', { env, httpPortVar: 'TAKES_EVENT_STORE_HTTP_PORT' });
  // A service that fails to start must not leave the others running (the suite would hang).
  const started: ServiceProcess[] = [];
  const track = async (starting: Promise<ServiceProcess>) => {
    try {
      const service = await starting;
      started.push(service);
      return service;
    } catch (error) {
      await Promise.all(started.map((s) => s.kill()));
      await stream.cleanup();
      await testDb.drop();
      throw error;
    }
  };
  let store = await track(startStore());
  const startProjector = () => startService('projector', { env, httpPortVar: 'TAKES_PROJECTOR_HTTP_PORT' });
  let projector = await track(startProjector());
  // The review page (served by the conflicts service) calls the gateway, so the gateway's port is chosen first.
  const gatewayPort = await freePort();
  const baseUrl = `http://127.0.0.1:${gatewayPort}`;
  const conflictsEnv = { ...env, TAKES_REVIEW_API_URL: baseUrl, ...options.conflictsEnv };
  const startConflicts = () => startService('conflicts', { env: conflictsEnv, httpPortVar: 'TAKES_CONFLICTS_HTTP_PORT' });
  let conflicts = await track(startConflicts());
  const webhooksEnv = { ...env, ...options.webhooksEnv };
  const startWebhooks = () => startService('webhooks', { env: webhooksEnv, httpPortVar: 'TAKES_WEBHOOKS_HTTP_PORT' });
  let webhooks = await track(startWebhooks());
  const workflows = await track(startService('workflows', { env, httpPortVar: 'TAKES_WORKFLOWS_HTTP_PORT' }));
  const gateway = await track(startService('gateway', { env: { ...env, ...gatewayEnv }, httpPortVar: 'TAKES_PORT', httpPort: gatewayPort }));
  const pg = new Client({ connectionString: testDb.url });
  await pg.connect();

  const api = async <T>(method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. /metrics)
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };

  const takes: TakesProcesses = {
    testDb,
    stream,
    get store() {
      return store;
    },
    gateway,
    get conflicts() {
      return conflicts;
    },
    get conflictsUrl() {
      return `http://127.0.0.1:${conflicts.httpPort}`;
    },
    conflictsEnv,
    startConflicts: async () => {
      conflicts = await startConflicts();
      return conflicts;
    },
    workflows,
    get projector() {
      return projector;
    },
    startProjector: async () => {
      projector = await startProjector();
      return projector;
    },
    get webhooks() {
      return webhooks;
    },
    webhooksEnv,
    startWebhooks: async () => {
      webhooks = await startWebhooks();
      return webhooks;
    },
    baseUrl,
    api,
    login: async (app = 'main', email = 'admin@localhost', password = 'changeme') => {
      const response = await api<{ data: { access_token: string } }>('POST', `/api/${app}/auth/login`, { body: { email, password } });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.data.access_token;
    },
    startStore: async () => {
      store = await startStore();
      return store;
    },
    sql: async (text, params = []) => (await pg.query(text, params)).rows,
    recordEventCount: async () => Number((await pg.query("SELECT count(*) AS n FROM event_store.events WHERE entity <> '_meta'")).rows[0].n),
    close: async () => {
      await gateway.stop();
      await projector.stop();
      await conflicts.stop();
      await webhooks.stop();
      await workflows.stop();
      await store.stop();
      await pg.end();
      await stream.cleanup();
      await testDb.drop();
    },
  };
  return takes;
}
