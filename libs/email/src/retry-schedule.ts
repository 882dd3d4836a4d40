/** How a mail that could not be sent is tried again: exponential backoff, then given up. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait after the first failed attempt; doubled after each further one. */
  baseMs: number;
  /** The longest wait between two attempts. */
  maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseMs: 30_000, maxMs: 3_600_000 };

/** The wait after `attempt` attempts have failed (1 → base, 2 → 2×base, …, capped). */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 30));
}

export type AfterFailure = { status: 'retrying'; nextAttemptAt: Date } | { status: 'failed' };

/** What becomes of a delivery whose `attempt`-th attempt failed. */
export function afterFailedAttempt(attempt: number, policy: RetryPolicy, now = new Date()): AfterFailure {
  if (attempt >= policy.maxAttempts) return { status: 'failed' };
  return { status: 'retrying', nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempt, policy)) };
}
