import { createUuidV7Generator, uuidv7, uuidv7Time, UUID_PATTERN } from './uuid-v7';

describe('uuidv7', () => {
  it('has version 7 and the RFC variant', () => {
    const id = uuidv7();
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('carries the time it was made', () => {
    const make = createUuidV7Generator(() => 1_763_900_000_123);
    expect(uuidv7Time(make())).toBe(1_763_900_000_123);
  });

  it('increases strictly within one millisecond and across a stalled clock', () => {
    const make = createUuidV7Generator(() => 1_000);
    const ids = Array.from({ length: 10_000 }, () => make());
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never goes back when the clock does', () => {
    let t = 5_000;
    const make = createUuidV7Generator(() => t);
    const a = make();
    t = 4_000;
    const b = make();
    expect(b > a).toBe(true);
  });
});

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes on every call, across refills', async () => {
    const { pooledRandomBytes, toHex } = await import('./uuid-v7');
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i += 1) seen.add(toHex(pooledRandomBytes(16)));
    expect(seen.size).toBe(2_000);
    expect(pooledRandomBytes(10_000)).toHaveLength(10_000);
  });
});

describe('the millisecond field', () => {
  it('holds times past 2^32 ms exactly, big-endian, as the RFC lays it out', () => {
    const ms = 0xfedc_ba98_7654;
    const id = createUuidV7Generator(() => ms)();
    expect(id.slice(0, 8) + id.slice(9, 13)).toBe('fedcba987654');
    expect(uuidv7Time(id)).toBe(ms);
  });
});
