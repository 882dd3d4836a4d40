import { parseDurationMs } from './durations';
import { MAX_RETRY_AFTER_MS, SPEC_RETRY_SCHEDULE_MS, attemptVerdict, nextAttemptDelayMs, parseRetryAfterMs, parseSchedule, retryPolicy } from './retry-schedule';

describe('the retry schedule', () => {
  it('reads durations', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5s')).toBe(5_000);
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs(40)).toBe(40);
    expect(parseDurationMs('-1s')).toBeNull();
    expect(parseDurationMs('soon')).toBeNull();
    expect(parseSchedule('0, 5s,5m')).toEqual([0, 5_000, 300_000]);
    expect(parseSchedule(['0', 'x'])).toBeNull();
    expect(parseSchedule([])).toBeNull();
  });

  it('follows the spec by default: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up', () => {
    const policy = retryPolicy(SPEC_RETRY_SCHEDULE_MS, {}, 0);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => nextAttemptDelayMs(policy, n, null, 0.5))).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(nextAttemptDelayMs(policy, 8, null, 0.5)).toBeNull();
  });

  it("cuts or stretches the schedule to Rocket's max_attempts, and an endpoint's own schedule wins", () => {
    expect(retryPolicy([0, 10, 20], { max_attempts: 2 }).scheduleMs).toEqual([0, 10]);
    expect(retryPolicy([0, 10, 20], { max_attempts: 5 }).scheduleMs).toEqual([0, 10, 20, 20, 20]);
    expect(retryPolicy([0, 10, 20], { max_attempts: 2, schedule: [0, 1, 2, 3] }).scheduleMs).toEqual([0, 1, 2, 3]);
  });

  it('spreads each delay by the jitter, within its bounds', () => {
    const policy = retryPolicy([0, 10_000], {}, 0.1);
    expect(nextAttemptDelayMs(policy, 1, null, 0)).toBe(9_000);
    expect(nextAttemptDelayMs(policy, 1, null, 0.999999)).toBe(11_000);
    expect(nextAttemptDelayMs(policy, 0, null, 0.9)).toBe(0);
  });

  it('honours Retry-After in seconds or as a date, never waiting less, and up to a day', () => {
    const policy = retryPolicy([0, 100, 100], {}, 0);
    expect(nextAttemptDelayMs(policy, 1, parseRetryAfterMs('3', 0), 0.5)).toBe(3_000);
    expect(nextAttemptDelayMs(policy, 1, parseRetryAfterMs('0', 0), 0.5)).toBe(100);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7_000);
    expect(parseRetryAfterMs('whenever', now)).toBeNull();
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
    expect(nextAttemptDelayMs(policy, 1, 10 * MAX_RETRY_AFTER_MS, 0.5)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('retries timeouts, network errors, 408, 429 and 5xx; 410 is gone; other answers fail at once', () => {
    expect(attemptVerdict(204)).toBe('delivered');
    expect(attemptVerdict(null)).toBe('retry');
    expect(attemptVerdict(429)).toBe('retry');
    expect(attemptVerdict(503)).toBe('retry');
    expect(attemptVerdict(408)).toBe('retry');
    expect(attemptVerdict(410)).toBe('gone');
    expect(attemptVerdict(400)).toBe('failed');
    expect(attemptVerdict(301)).toBe('failed');
  });
});
