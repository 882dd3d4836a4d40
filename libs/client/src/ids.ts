import { uuidv7 } from '@takes/ids';

export { uuidv7 };

/** How the client makes the keys of records created on the device. */
export type IdFormat = 'uuidv7' | 'time-counter-device';

/**
 * A device fingerprint: a hash of the device's random id, so what leaves the device
 * names it without saying anything about it (FNV-1a, 64 bits, as 16 hex digits).
 */
export function deviceFingerprint(deviceId: string): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < deviceId.length; i += 1) {
    hash ^= BigInt(deviceId.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * Keys in MealPlanner's format `millis:counter:fingerprint` for entities with string
 * keys: time-ordered (millis padded to 13 digits, the counter to 4, so keys sort as
 * strings in the order they were made), unique per device without coordination, and
 * free of personal data. The counter runs within one millisecond; a clock that goes
 * back keeps the last millisecond, so keys never go back either.
 */
export function createTimeOrderedKeys(fingerprint: string, now: () => number = Date.now): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter += 1;
      if (counter > 9999) {
        ms = lastMs + 1;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMs = ms;
    return `${String(ms).padStart(13, '0')}:${String(counter).padStart(4, '0')}:${fingerprint}`;
  };
}

/** The key maker for a format. */
export function keyMaker(format: IdFormat, fingerprint: string): () => string {
  return format === 'uuidv7' ? uuidv7 : createTimeOrderedKeys(fingerprint);
}
