/**
 * Values as the engine sees them, and back. A record's JSON is not copied: each field
 * read takes an own property only (never one from a prototype) and makes a number
 * exact as it is read, so a big related list costs only what the expression visits.
 * Results go back to JSON: an ExactNumber becomes a number, or decimal text when a
 * double cannot hold it.
 */
import { ExactNumber } from './exact-number';

/**
 * What an expression reads and returns: JSON as the record holds it (objects and lists
 * are read lazily, field by field), with numbers made exact as they are read.
 */
export type ExpressionValue = null | boolean | string | ExactNumber | ExpressionValue[] | Map<string, ExpressionValue> | { readonly [key: string]: unknown };

/** A plain data object (a JSON object), as opposed to a list, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * One value as the engine sees it once read: a number becomes exact, undefined and
 * NaN become nil, a Date its ISO text; objects and lists are left to be read lazily.
 */
export function scalarValue(value: unknown): ExpressionValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return ExactNumber.fromNumber(value);
  if (typeof value === 'bigint') return ExactNumber.of(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'boolean' || value instanceof ExactNumber) return value;
  if (Array.isArray(value) || value instanceof Map || isPlainObject(value)) return value as ExpressionValue;
  return null;
}

export function fromExpressionValue(value: unknown): unknown {
  if (value instanceof ExactNumber) return value.toJson();
  if (typeof value === 'bigint') return ExactNumber.of(value).toJson();
  if (Array.isArray(value)) return value.map(fromExpressionValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromExpressionValue(v)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.keys(value).map((k) => [k, fromExpressionValue(value[k])]));
  return value;
}

/** A value's type in words, for error messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (value instanceof ExactNumber) return 'number';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map || isPlainObject(value)) return 'map';
  return typeof value;
}

/** Equality as Rocket's engine has it: numbers by value, lists and maps by content, no coercion across types. */
export function valuesEqual(left: unknown, right: unknown): boolean {
  const [a, b] = [scalarValue(left), scalarValue(right)];
  if (a instanceof ExactNumber && b instanceof ExactNumber) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  const [x, y] = [entriesOf(a), entriesOf(b)];
  if (x && y) {
    if (x.size !== y.size) return false;
    for (const [k, v] of x) if (!y.has(k) || !valuesEqual(v, y.get(k))) return false;
    return true;
  }
  return a === b;
}

function entriesOf(value: unknown): Map<string, unknown> | null {
  if (value instanceof Map) return value as Map<string, unknown>;
  return isPlainObject(value) ? new Map(Object.entries(value)) : null;
}
