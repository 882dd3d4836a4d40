// Web Crypto's getRandomValues: the same call in Node 20+, browsers and React Native
// (with a getRandomValues polyfill), so the client library makes ids the way the store does.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let offset = POOL_SIZE;

function fillRandom(bytes: Uint8Array): Uint8Array {
  // getRandomValues fills at most 65,536 bytes per call.
  for (let start = 0; start < bytes.length; start += 65_536) globalThis.crypto.getRandomValues(bytes.subarray(start, start + 65_536));
  return bytes;
}

/**
 * Random bytes from a pool refilled 4 KiB at a time: one system call per ~200 ids
 * instead of two per id. Each call gets a fresh copy.
 */
export function pooledRandomBytes(n: number): Uint8Array {
  if (n > POOL_SIZE) return fillRandom(new Uint8Array(n));
  if (offset + n > POOL_SIZE) {
    fillRandom(pool);
    offset = 0;
  }
  const out = pool.slice(offset, offset + n);
  offset += n;
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 1) out += HEX[bytes[i]];
  return out;
}

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids made
 * by one process are strictly increasing: within the same millisecond the 12-bit
 * `rand_a` field is used as a counter (the RFC's method 1), and if it runs out the
 * timestamp is advanced by one, so sorting ids sorts them by creation.
 */
export function createUuidV7Generator(now: () => number = Date.now, random: (n: number) => Uint8Array = pooledRandomBytes) {
  let lastMs = -1;
  let counter = 0;
  const freshCounter = () => {
    const r = random(2);
    return ((r[0] << 8) | r[1]) & 0x7ff;
  };
  return function uuidv7(): string {
    let ms = now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter += 1;
      if (counter > 0xfff) {
        ms = lastMs + 1;
        counter = freshCounter();
      }
    } else {
      counter = freshCounter();
    }
    lastMs = ms;
    const bytes = random(16);
    // 48 bits of milliseconds, big-endian (beyond 32 bits, so no bit operators on the whole).
    const high = Math.floor(ms / 2 ** 32);
    const low = ms % 2 ** 32;
    bytes[0] = (high >> 8) & 0xff;
    bytes[1] = high & 0xff;
    bytes[2] = (low >>> 24) & 0xff;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    bytes[6] = 0x70 | ((counter >> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = toHex(bytes);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** The process-wide generator. */
export const uuidv7 = createUuidV7Generator();

/** The Unix milliseconds a UUID v7 was made at. */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
