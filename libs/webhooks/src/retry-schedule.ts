import { parseDurationMs } from './durations';

/**
 * The Standard Webhooks schedule: the first attempt at once, then after 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h and 10 h (eight attempts over about 27 hours).
 */
export const SPEC_RETRY_SCHEDULE_MS: readonly number[] = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** Retry-After is honoured up to this (a day), so a hostile receiver cannot park a delivery forever. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/** How a delivery is retried: the delay before each attempt (the first usually 0), and the jitter spread. */
export interface RetryPolicy {
  /** Delay before attempt i+1 counted from the failure of attempt i (index 0: the first attempt). */
  readonly scheduleMs: readonly number[];
  /** Each delay is spread by ± this fraction (0.1 = ±10 %), so retries of many deliveries do not arrive together. */
  readonly jitter: number;
}

/** Reads a schedule written as durations (`"0,5s,5m"` or `["0", "5s"]`); null when one is not a duration. */
export function parseSchedule(value: unknown): number[] | null {
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (!parts || parts.length === 0 || parts.length > 50) return null;
  const delays = parts.map(parseDurationMs);
  return delays.some((d) => d === null) ? null : (delays as number[]);
}

/**
 * A policy from Rocket's `retry: {max_attempts, backoff}` and Takes' `retry.schedule`: an
 * explicit schedule wins; otherwise the given schedule (the spec's, or the deployment's
 * from configuration) cut or stretched (its last delay repeated) to max_attempts.
 */
export function retryPolicy(defaults: readonly number[], retry: { max_attempts?: number; schedule?: readonly number[] } = {}, jitter = 0.1): RetryPolicy {
  if (retry.schedule && retry.schedule.length > 0) return { scheduleMs: retry.schedule, jitter };
  const attempts = retry.max_attempts ?? defaults.length;
  const scheduleMs = Array.from({ length: attempts }, (_, i) => defaults[Math.min(i, defaults.length - 1)] ?? 0);
  return { scheduleMs, jitter };
}

/**
 * When the next attempt is due after `attempts` attempts failed, in ms from now; null
 * when the schedule is spent. A Retry-After the receiver sent (429, 503) is honoured: the
 * delay is never shorter than it. `random` is in [0, 1).
 */
export function nextAttemptDelayMs(policy: RetryPolicy, attempts: number, retryAfterMs: number | null, random: number): number | null {
  if (attempts >= policy.scheduleMs.length) return null;
  const base = policy.scheduleMs[attempts];
  const jittered = Math.round(base * (1 + policy.jitter * (2 * random - 1)));
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Retry-After as seconds or as an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfterMs(header: string | undefined | null, now: number): number | null {
  if (header === undefined || header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** What one attempt's result means for its delivery. */
export type AttemptVerdict = 'delivered' | 'retry' | 'gone' | 'failed';

/**
 * 2xx delivered; 410 Gone: the endpoint is disabled; timeouts, network errors (status
 * null), 408, 429 and 5xx are retried; any other answer (a 4xx the receiver means) fails
 * the delivery without retry.
 */
export function attemptVerdict(status: number | null): AttemptVerdict {
  if (status === null) return 'retry';
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}
