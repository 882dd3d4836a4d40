import { envDurationMs, envInt, envString, type Env } from '@takes/config';
import { DEFAULT_DATABASE_URL } from '@takes/db';
import { DEFAULT_NATS_URL } from '@takes/bus';

/** Every setting of the conflicts service, read once at start-up. */
export interface ConflictsConfig {
  databaseUrl: string;
  natsUrl: string;
  httpPort: number;
  subjectPrefix: string;
  streamName: string;
  durable: string;
  storeTimeoutMs: number;
  maxInFlight: number;
}

export const CONFLICTS_CONFIG = Symbol('CONFLICTS_CONFIG');

export function loadConflictsConfig(env: Env = process.env): ConflictsConfig {
  return {
    databaseUrl: envString(env, 'TAKES_DATABASE_URL', DEFAULT_DATABASE_URL),
    natsUrl: envString(env, 'TAKES_NATS_URL', DEFAULT_NATS_URL),
    httpPort: envInt(env, 'TAKES_CONFLICTS_HTTP_PORT', 8083, { min: 0, max: 65535 }),
    subjectPrefix: envString(env, 'TAKES_SUBJECT_PREFIX', ''),
    streamName: envString(env, 'TAKES_STREAM_NAME', 'EVENTS'),
    durable: envString(env, 'TAKES_CONFLICTS_DURABLE', 'conflicts'),
    storeTimeoutMs: envDurationMs(env, 'TAKES_STORE_TIMEOUT', 5_000),
    maxInFlight: envInt(env, 'TAKES_CONFLICTS_MAX_IN_FLIGHT', 200, { min: 1 }),
  };
}
