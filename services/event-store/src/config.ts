import { envBool, envDurationMs, envInt, envStreamName, envString, envSubjectPrefix, type Env } from '@takes/config';
import { DEFAULT_DATABASE_URL } from '@takes/db';
import { DEFAULT_NATS_URL } from '@takes/bus';

/** Every setting of the event store, read once from the environment at start-up. */
export interface EventStoreConfig {
  databaseUrl: string;
  natsUrl: string;
  httpPort: number;
  /** Put before every subject (`''` in production; tests give each suite its own). */
  subjectPrefix: string;
  stream: { name: string; maxAgeMs: number; duplicateWindowMs: number };
  pool: { max: number; acquireTimeoutMs: number; statementTimeoutMs: number };
  /** NATS requests handled at once by this process; more get UNAVAILABLE at once. */
  maxInFlight: number;
  groupCommit: { maxBatch: number; lanes: number; maxQueued: number; queueTimeoutMs: number };
  relay: { enabled: boolean; batchSize: number; pollMs: number; idlePollMaxMs: number; electionMs: number; checkpointMs: number };
  maxEventBytes: number;
  /** Keep a snapshot of a record's state every this many events of its stream. */
  snapshotEvery: number;
}

export const EVENT_STORE_CONFIG = Symbol('EVENT_STORE_CONFIG');

export function loadEventStoreConfig(env: Env = process.env): EventStoreConfig {
  const poolMax = envInt(env, 'TAKES_EVENT_STORE_POOL_MAX', 10, { min: 2, max: 500 });
  return {
    databaseUrl: envString(env, 'TAKES_DATABASE_URL', DEFAULT_DATABASE_URL),
    natsUrl: envString(env, 'TAKES_NATS_URL', DEFAULT_NATS_URL),
    httpPort: envInt(env, 'TAKES_EVENT_STORE_HTTP_PORT', 8081, { min: 0, max: 65535 }),
    subjectPrefix: envSubjectPrefix(env),
    stream: {
      name: envStreamName(env),
      maxAgeMs: envDurationMs(env, 'TAKES_STREAM_MAX_AGE', 7 * 86_400_000),
      duplicateWindowMs: envDurationMs(env, 'TAKES_STREAM_DUPLICATE_WINDOW', 120_000),
    },
    pool: {
      max: poolMax,
      acquireTimeoutMs: envDurationMs(env, 'TAKES_DB_ACQUIRE_TIMEOUT', 2_000),
      statementTimeoutMs: envDurationMs(env, 'TAKES_DB_STATEMENT_TIMEOUT', 10_000),
    },
    maxInFlight: envInt(env, 'TAKES_EVENT_STORE_MAX_IN_FLIGHT', 1_000, { min: 1 }),
    groupCommit: {
      maxBatch: envInt(env, 'TAKES_GROUP_COMMIT_MAX_BATCH', 128, { min: 1, max: 5_000 }),
      // One lane gives the largest groups; bench/append.bench.ts measured it fastest at
      // 8 and 32 clients on a 2-core machine. More lanes suit more cores.
      lanes: envInt(env, 'TAKES_GROUP_COMMIT_LANES', 1, { min: 1, max: Math.max(1, poolMax - 2) }),
      maxQueued: envInt(env, 'TAKES_GROUP_COMMIT_MAX_QUEUED', 2_000, { min: 1 }),
      queueTimeoutMs: envDurationMs(env, 'TAKES_GROUP_COMMIT_QUEUE_TIMEOUT', 3_000),
    },
    relay: {
      enabled: envBool(env, 'TAKES_RELAY', true),
      batchSize: envInt(env, 'TAKES_RELAY_BATCH', 500, { min: 1, max: 10_000 }),
      pollMs: envDurationMs(env, 'TAKES_RELAY_POLL', 20),
      idlePollMaxMs: envDurationMs(env, 'TAKES_RELAY_POLL_MAX', 200),
      electionMs: envDurationMs(env, 'TAKES_RELAY_ELECTION', 1_000),
      checkpointMs: envDurationMs(env, 'TAKES_RELAY_CHECKPOINT', 1_000),
    },
    maxEventBytes: envInt(env, 'TAKES_MAX_EVENT_BYTES', 512 * 1024, { min: 1024 }),
    snapshotEvery: envInt(env, 'TAKES_SNAPSHOT_EVERY', 100, { min: 1 }),
  };
}
