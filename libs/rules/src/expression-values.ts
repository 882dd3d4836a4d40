/**
 * Values as the engine sees them, and back. Everything from a record (JSON) is read
 * once per evaluation context: numbers become ExactNumber, objects become Maps (so no
 * lookup can reach a prototype), arrays stay arrays. Results go back to JSON: an
 * ExactNumber becomes a number, or decimal text when a double cannot hold it.
 */
import { ExactNumber } from './exact-number';

/** What an expression reads and returns: JSON with exact numbers and Map objects. */
export type ExpressionValue = null | boolean | string | ExactNumber | ExpressionValue[] | Map<string, ExpressionValue>;

const MAX_NESTING = 64;

export function toExpressionValue(value: unknown, depth = 0): ExpressionValue {
  if (depth > MAX_NESTING) throw new RangeError(`value is nested more than ${MAX_NESTING} levels`);
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return ExactNumber.fromNumber(value);
  if (typeof value === 'bigint') return ExactNumber.of(value);
  if (value instanceof ExactNumber) return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => toExpressionValue(item, depth + 1));
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [String(k), toExpressionValue(v, depth + 1)]));
  }
  if (typeof value === 'object') {
    return new Map(Object.keys(value).map((k) => [k, toExpressionValue((value as Record<string, unknown>)[k], depth + 1)]));
  }
  return null;
}

export function fromExpressionValue(value: unknown): unknown {
  if (value instanceof ExactNumber) return value.toJson();
  if (typeof value === 'bigint') return ExactNumber.of(value).toJson();
  if (Array.isArray(value)) return value.map(fromExpressionValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromExpressionValue(v)]));
  return value;
}

/** A value's type in words, for error messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (value instanceof ExactNumber) return 'number';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'map';
  return typeof value;
}

/** Equality as Rocket's engine has it: numbers by value, lists and maps by content, no coercion across types. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a instanceof ExactNumber && b instanceof ExactNumber) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false;
    return true;
  }
  return a === b;
}
