import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate, per key', () => {
    const limiter = new RateLimiter(10, 20);
    const t = 1_000_000;
    const burst = Array.from({ length: 25 }, () => limiter.take('u1', t)).filter(Boolean).length;
    expect(burst).toBe(20);
    expect(limiter.take('u2', t)).toBe(true);
    expect(limiter.take('u1', t + 100)).toBe(true);
    expect(limiter.take('u1', t + 100)).toBe(false);
  });
});
