/**
 * A JSON value as PostgreSQL's jsonb gives it back: object keys in jsonb's order (shorter
 * keys first, then by their UTF-8 bytes), keys whose value is undefined left out and
 * undefined array items as null (as JSON.stringify writes them). An event published from
 * memory is then the same, key for key, as the one read back from the events table.
 */
export function jsonbOrdered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : jsonbOrdered(item)));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of jsonbKeyOrder(Object.keys(source))) {
    if (source[key] !== undefined) ordered[key] = jsonbOrdered(source[key]);
  }
  return ordered;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Keys in jsonb's order. Where every key is ASCII, a key's UTF-8 bytes are its UTF-16
 * code units, so lengths and `<` compare them without encoding (this runs for every
 * object of every event the relay publishes); otherwise each key is encoded once.
 */
export function jsonbKeyOrder(keys: string[]): string[] {
  if (keys.every((key) => ASCII.test(key))) return keys.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const encoded = keys.map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }));
  encoded.sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes));
  return encoded.map((entry) => entry.key);
}
