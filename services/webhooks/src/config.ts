import { envDurationMs, envInt, envString, type Env } from '@takes/config';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';
import { AddressAllowList, SPEC_RETRY_SCHEDULE_MS, parseSchedule } from '@takes/webhooks';

/** Every setting of the webhooks service, read once at start-up. */
export interface WebhooksConfig extends SharedSettings {
  httpPort: number;
  durable: string;
  maxInFlight: number;
  /** Destinations allowed although they are loopback, private or link-local (IPs or CIDR ranges). */
  allowAddresses: AddressAllowList;
  /** The variables `{{env.NAME}}` in a webhook's headers may read. */
  headerEnv: ReadonlySet<string>;
  /** The delay before each attempt when a webhook gives no schedule of its own (ms). */
  retryScheduleMs: readonly number[];
  jitter: number;
  /** One request's time limit (ms) for async deliveries. */
  timeoutMs: number;
  /** Bytes of a response read (the rest is dropped), and of it kept in the log. */
  maxResponseBytes: number;
  responseExcerptBytes: number;
  /** Requests in flight at once to one endpoint, across replicas. */
  perEndpointConcurrency: number;
  /** Requests in flight at once in this process. */
  workers: number;
  /** An endpoint failing without a success for this long is disabled. */
  disableAfterMs: number;
  /** How often an idle worker looks for due deliveries. */
  pollMs: number;
  /**
   * How often the intake saves a watermark that moved only over events that made no
   * delivery (it is saved at once with any delivery, and when the service stops). After
   * a crash those events are read again, and make no delivery again.
   */
  watermarkSaveMs: number;
  /** How long the previous secret keeps signing after a rotation, by default. */
  secretGraceMs: number;
  /** How long a claimed delivery is kept from other replicas (its process may have died after this). */
  leaseMs: number;
  /** Where a state machine's or workflow's webhook action with a path for url (`/hooks/invoice-paid`) goes: this origin. */
  baseUrl?: string;
}

export const WEBHOOKS_CONFIG = Symbol('WEBHOOKS_CONFIG');

function list(env: Env, name: string): string[] {
  return envString(env, name, '').split(',').map((s) => s.trim()).filter(Boolean);
}

function baseUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error('TAKES_WEBHOOKS_BASE_URL must be an http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('TAKES_WEBHOOKS_BASE_URL must be an http(s) URL');
  return parsed.toString();
}

export function loadWebhooksConfig(env: Env = process.env): WebhooksConfig {
  const schedule = env.TAKES_WEBHOOKS_RETRY_SCHEDULE ? parseSchedule(env.TAKES_WEBHOOKS_RETRY_SCHEDULE) : [...SPEC_RETRY_SCHEDULE_MS];
  if (!schedule) throw new Error('TAKES_WEBHOOKS_RETRY_SCHEDULE must be durations separated by commas (0,5s,5m,...)');
  const jitter = Number(env.TAKES_WEBHOOKS_JITTER ?? '0.1');
  if (!(jitter >= 0 && jitter <= 1)) throw new Error('TAKES_WEBHOOKS_JITTER must be from 0 to 1');
  return {
    ...sharedSettings(env),
    httpPort: envInt(env, 'TAKES_WEBHOOKS_HTTP_PORT', 8084, { min: 0, max: 65535 }),
    durable: envString(env, 'TAKES_WEBHOOKS_DURABLE', 'webhooks'),
    maxInFlight: envInt(env, 'TAKES_WEBHOOKS_MAX_IN_FLIGHT', 200, { min: 1 }),
    allowAddresses: new AddressAllowList(list(env, 'TAKES_WEBHOOKS_ALLOW_ADDRESSES')),
    headerEnv: new Set(list(env, 'TAKES_WEBHOOKS_HEADER_ENV')),
    retryScheduleMs: schedule,
    jitter,
    timeoutMs: envDurationMs(env, 'TAKES_WEBHOOKS_TIMEOUT', 10_000),
    maxResponseBytes: envInt(env, 'TAKES_WEBHOOKS_MAX_RESPONSE_BYTES', 65_536, { min: 0 }),
    responseExcerptBytes: envInt(env, 'TAKES_WEBHOOKS_RESPONSE_EXCERPT_BYTES', 1_024, { min: 0 }),
    perEndpointConcurrency: envInt(env, 'TAKES_WEBHOOKS_ENDPOINT_CONCURRENCY', 4, { min: 1 }),
    workers: envInt(env, 'TAKES_WEBHOOKS_WORKERS', 32, { min: 1 }),
    disableAfterMs: envDurationMs(env, 'TAKES_WEBHOOKS_DISABLE_AFTER', 5 * 86_400_000),
    pollMs: envDurationMs(env, 'TAKES_WEBHOOKS_POLL', 250),
    watermarkSaveMs: envDurationMs(env, 'TAKES_WEBHOOKS_WATERMARK_SAVE', 1_000),
    secretGraceMs: envDurationMs(env, 'TAKES_WEBHOOKS_SECRET_GRACE', 86_400_000),
    leaseMs: envDurationMs(env, 'TAKES_WEBHOOKS_LEASE', envDurationMs(env, 'TAKES_WEBHOOKS_TIMEOUT', 10_000) + 30_000),
    ...(env.TAKES_WEBHOOKS_BASE_URL ? { baseUrl: baseUrl(env.TAKES_WEBHOOKS_BASE_URL) } : {}),
  };
}
