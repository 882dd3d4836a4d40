import { DEFAULT_BACKOFF, retryDelay } from './backoff';
import { retryAfterMs } from './transport';

describe('retry delays', () => {
  it('are 5 s, 10 s, 20 s, 40 s, then 60 s at most, before jitter', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => retryDelay(n, DEFAULT_BACKOFF, noJitter))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
  });

  it('take off up to a fifth at random, never going over the step', () => {
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const step = Math.min(60_000, 5_000 * 2 ** (attempt - 1));
      expect(retryDelay(attempt, DEFAULT_BACKOFF, () => 0.999_999)).toBeGreaterThanOrEqual(step * 0.8);
      expect(retryDelay(attempt, DEFAULT_BACKOFF, () => 0.5)).toBe(step * 0.9);
      expect(retryDelay(attempt, DEFAULT_BACKOFF, Math.random)).toBeLessThanOrEqual(step);
    }
  });

  it("wait at least a server's Retry-After", () => {
    expect(retryDelay(1, DEFAULT_BACKOFF, () => 0, 30_000)).toBe(30_000);
    expect(retryDelay(3, DEFAULT_BACKOFF, () => 0, 1_000)).toBe(20_000);
  });

  it('read Retry-After in seconds or as a date', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 10:00:30 GMT', Date.parse('2026-12-03T10:00:00Z'))).toBe(30_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
