import type { ErrorDetail } from '@takes/contracts';

/** What a parser answers: the normalized value, or every problem it found (never only the first). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Own key lookup that a key such as `__proto__` or `constructor` cannot fool. */
export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}
