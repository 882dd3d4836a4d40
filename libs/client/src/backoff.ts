/** Retry delays: 5 s, 10 s, 20 s … doubling up to a cap of 60 s, with jitter. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** The part of each delay that is random (0.2: the delay is 80–100 % of the step). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 60_000, jitter: 0.2 };

/**
 * The wait before retry number `attempt` (1 for the first retry). Jitter takes off up to
 * `jitter` of the step, so many devices coming back at once spread out instead of
 * arriving together, and no delay is ever over the cap. A server's Retry-After, when
 * longer, wins.
 */
export function retryDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random, retryAfterMs?: number): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const delay = Math.round(step * (1 - policy.jitter * random()));
  return retryAfterMs !== undefined && retryAfterMs > delay ? retryAfterMs : delay;
}
