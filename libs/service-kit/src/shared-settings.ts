import { envDurationMs, envStreamName, envString, envSubjectPrefix, type Env } from '@takes/config';
import { DEFAULT_NATS_URL } from '@takes/bus';
import { DEFAULT_DATABASE_URL } from '@takes/db';

/** The settings every service reads the same way, from the same variables. */
export interface SharedSettings {
  databaseUrl: string;
  natsUrl: string;
  /** Put before every subject (`''` in production; tests give each suite its own). */
  subjectPrefix: string;
  /** The JetStream stream the relay publishes to. */
  streamName: string;
  /** How long a service waits for the event store before giving up (ms). */
  storeTimeoutMs: number;
}

export function sharedSettings(env: Env): SharedSettings {
  return {
    databaseUrl: envString(env, 'TAKES_DATABASE_URL', DEFAULT_DATABASE_URL),
    natsUrl: envString(env, 'TAKES_NATS_URL', DEFAULT_NATS_URL),
    subjectPrefix: envSubjectPrefix(env),
    streamName: envStreamName(env),
    storeTimeoutMs: envDurationMs(env, 'TAKES_STORE_TIMEOUT', 5_000),
  };
}
