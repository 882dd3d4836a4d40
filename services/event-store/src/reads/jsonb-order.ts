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
  for (const key of Object.keys(source).sort(compareJsonbKeys)) {
    if (source[key] !== undefined) ordered[key] = jsonbOrdered(source[key]);
  }
  return ordered;
}

function compareJsonbKeys(a: string, b: string): number {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length - right.length || Buffer.compare(left, right);
}
