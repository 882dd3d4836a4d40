import { envDurationMs, envInt, envString, type Env } from '@takes/config';
import { DEFAULT_DATABASE_URL } from '@takes/db';
import { DEFAULT_NATS_URL } from '@takes/bus';

/** Every setting of the projector, read once at start-up. */
export interface ProjectorConfig {
  databaseUrl: string;
  natsUrl: string;
  httpPort: number;
  subjectPrefix: string;
  streamName: string;
  /** The durable JetStream consumer shared by the projector's replicas. */
  durable: string;
  /** Events applied in one transaction at most. */
  batchSize: number;
  /** Longest wait for the event store when filling a gap (ms). */
  storeTimeoutMs: number;
  poolMax: number;
  /** Requests (rebuild, rebuild status) handled at once over NATS. */
  maxInFlight: number;
  /** A rebuild reads the event store this many events a request (at most 1000). */
  rebuildPage: number;
  /** A rebuild applies and writes this many events in one transaction. */
  rebuildChunk: number;
}

export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');

export function loadProjectorConfig(env: Env = process.env): ProjectorConfig {
  return {
    databaseUrl: envString(env, 'TAKES_DATABASE_URL', DEFAULT_DATABASE_URL),
    natsUrl: envString(env, 'TAKES_NATS_URL', DEFAULT_NATS_URL),
    httpPort: envInt(env, 'TAKES_PROJECTOR_HTTP_PORT', 8082, { min: 0, max: 65535 }),
    subjectPrefix: envString(env, 'TAKES_SUBJECT_PREFIX', ''),
    streamName: envString(env, 'TAKES_STREAM_NAME', 'EVENTS'),
    durable: envString(env, 'TAKES_PROJECTOR_DURABLE', 'projector'),
    batchSize: envInt(env, 'TAKES_PROJECTOR_BATCH', 500, { min: 1, max: 10_000 }),
    storeTimeoutMs: envDurationMs(env, 'TAKES_STORE_TIMEOUT', 5_000),
    poolMax: envInt(env, 'TAKES_PROJECTOR_POOL_MAX', 5, { min: 1 }),
    maxInFlight: envInt(env, 'TAKES_PROJECTOR_MAX_IN_FLIGHT', 64, { min: 1 }),
    rebuildPage: envInt(env, 'TAKES_REBUILD_PAGE', 1000, { min: 1, max: 1000 }),
    rebuildChunk: envInt(env, 'TAKES_REBUILD_CHUNK', 5000, { min: 1, max: 100_000 }),
  };
}
