import { eventually } from './eventually';
import { startService, type ServiceProcess } from './service-process';
import { createTestDatabase, type TestDatabase } from './test-database';
import { createTestStream, type TestStream } from './test-stream';
import { serviceEnv } from './takes-processes';

/** A service that follows the events (the projector, the conflicts service), with an event store, as processes. */
export interface FollowingService {
  testDb: TestDatabase;
  stream: TestStream;
  store: ServiceProcess;
  service: ServiceProcess;
  /** GET on the service's own HTTP port (/health, /ready): its status and parsed body. */
  get<T = any>(path: string): Promise<{ status: number; body: T }>;
  /**
   * Once the service's durable JetStream consumer exists (so that it gets it), publishes on
   * the events subjects a message that is not JSON: what a follower cannot read into a batch.
   */
  publishNotAnEvent(durable: string): Promise<void>;
  /** Waits until /ready answers 503 UNAVAILABLE with `check` failing, and returns why. */
  notReadyBecauseOf(check: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts an event store, then `name`, on a database and stream of their own. */
export async function startFollowingService(name: string, httpPortVar: string, label: string): Promise<FollowingService> {
  const testDb = await createTestDatabase(label);
  const stream = await createTestStream();
  const env = serviceEnv(testDb, stream);
  const started: ServiceProcess[] = [];
  const close = async () => {
    for (const process of started.reverse()) await process.stop();
    await stream.cleanup();
    await testDb.drop();
  };
  try {
    started.push(await startService('event-store', { env, httpPortVar: 'TAKES_EVENT_STORE_HTTP_PORT' }));
    started.push(await startService(name, { env, httpPortVar }));
  } catch (error) {
    await close();
    throw error;
  }
  const [store, service] = started;
  const jsm = await stream.nc.jetstreamManager();
  return {
    testDb,
    stream,
    store,
    service,
    get: async (path) => {
      const response = await fetch(`http://127.0.0.1:${service.httpPort}${path}`);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    publishNotAnEvent: async (durable) => {
      await eventually(() => jsm.consumers.info(stream.stream, durable), 10_000);
      await stream.nc.jetstream().publish(`${stream.prefix}evt.main.inspection.created`, Buffer.from('not an event'));
    },
    notReadyBecauseOf: (check) =>
      eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${service.httpPort}/ready`);
        const body = (await response.json()) as { error?: { code: string; details: Record<string, string> } };
        if (response.status !== 503 || body.error?.code !== 'UNAVAILABLE' || body.error.details[check] === undefined) {
          throw new Error(`/ready answers ${response.status} ${JSON.stringify(body)}, not 503 for ${check}`);
        }
        return body.error.details[check];
      }, 20_000),
    close,
  };
}
