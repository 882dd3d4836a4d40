import { UUID_PATTERN } from '@takes/ids';
import { createTimeOrderedKeys, deviceFingerprint, keyMaker } from './ids';

describe('keys made on the device', () => {
  it('millis:counter:device sort as strings in the order they were made, through a stalled and a backward clock', () => {
    let t = 1_764_000_000_000;
    const next = createTimeOrderedKeys('00ab', () => t);
    const keys: string[] = [];
    for (let i = 0; i < 25_000; i += 1) {
      if (i === 12_000) t -= 5_000;
      if (i === 20_000) t += 10_000;
      keys.push(next());
    }
    expect([...keys].sort()).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toBe('1764000000000:0000:00ab');
  });

  it('UUID v7 by default', () => {
    const key = keyMaker('uuidv7', 'x')();
    expect(key).toMatch(UUID_PATTERN);
    expect(key[14]).toBe('7');
  });

  it('a device fingerprint is a hash of its id: fixed length, the same every time, different per device', () => {
    const a = deviceFingerprint('01a23aaa-08c3-72f9-942d-2b09401cf687');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(deviceFingerprint('01a23aaa-08c3-72f9-942d-2b09401cf687')).toBe(a);
    expect(deviceFingerprint('01a23aaa-08c3-72f9-942d-2b09401cf688')).not.toBe(a);
    expect(a).not.toContain('01a23aaa');
  });
});
