/**
 * What each operator and function of Rocket's syntax does to values, written once in
 * plain TypeScript and registered with CEL (cel-environment.ts). Numbers are exact;
 * a numeric string meets a number as the decimal it spells (a decimal field's text);
 * anything else that does not fit is an error naming the types, as in expr-lang.
 */
import { charge } from './evaluation-budget';
import { ExactNumber } from './exact-number';
import { ExpressionValue, isPlainObject, scalarValue, typeName, valuesEqual } from './expression-values';

/** Longest string an expression may build (concatenation, replace, upper...). */
const MAX_STRING = 100_000;

export class ExpressionRuntimeError extends Error {}

function fail(message: string): never {
  throw new ExpressionRuntimeError(message);
}

function checkedString(value: string): string {
  charge(1 + Math.floor(value.length / 1024));
  if (value.length > MAX_STRING) fail(`string longer than ${MAX_STRING} characters`);
  return value;
}

/** The number a value stands for in arithmetic: a number, or a string that reads as one. */
function numberOf(raw: unknown): ExactNumber | null {
  const value = scalarValue(raw);
  if (value instanceof ExactNumber) return value;
  if (typeof value === 'string') return ExactNumber.fromText(value.trim());
  return null;
}

function numbers(a: unknown, b: unknown, op: string): [ExactNumber, ExactNumber] {
  charge();
  const x = numberOf(a);
  const y = numberOf(b);
  if (x === null || y === null || (typeof a === 'string' && typeof b === 'string')) {
    fail(`invalid operation: ${typeName(a)} ${op} ${typeName(b)}`);
  }
  return [x, y];
}

function arithmetic(run: () => ExactNumber): ExactNumber {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) fail(error.message);
    throw error;
  }
}

export function add(a: unknown, b: unknown): ExpressionValue {
  if (typeof a === 'string' && typeof b === 'string') return checkedString(a + b);
  if (Array.isArray(a) && Array.isArray(b)) {
    charge(a.length + b.length);
    return [...a, ...b] as ExpressionValue[];
  }
  const [x, y] = numbers(a, b, '+');
  return arithmetic(() => x.plus(y));
}

export const subtract = (a: unknown, b: unknown): ExactNumber => {
  const [x, y] = numbers(a, b, '-');
  return arithmetic(() => x.minus(y));
};
export const multiply = (a: unknown, b: unknown): ExactNumber => {
  const [x, y] = numbers(a, b, '*');
  return arithmetic(() => x.times(y));
};
export const divide = (a: unknown, b: unknown): ExactNumber => {
  const [x, y] = numbers(a, b, '/');
  return arithmetic(() => x.dividedBy(y));
};
export const modulo = (a: unknown, b: unknown): ExactNumber => {
  const [x, y] = numbers(a, b, '%');
  return arithmetic(() => x.modulo(y));
};

/** A condition (`&&`, `||`, `!`, `?:`) must be a boolean; nil or a number is an error, as in expr-lang. */
export function truth(value: unknown): boolean {
  if (typeof value !== 'boolean') fail(`expected bool, got ${typeName(value)}`);
  return value;
}

export function negate(a: unknown): ExactNumber {
  charge();
  const x = numberOf(a);
  if (x === null) fail(`invalid operation: -${typeName(a)}`);
  return x.negated();
}

/** Ordering: numbers by value (numeric strings included when the other side is a number), strings by code unit. */
export function compare(a: unknown, b: unknown, op: string): number {
  charge();
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const [x, y] = numbers(a, b, op);
  return x.compare(y);
}

export function equals(a: unknown, b: unknown): boolean {
  charge();
  return valuesEqual(a, b);
}

/** `a.b` and `a[i]`: a missing field, or any field of nil, is nil (a record's absent field reads as nil). */
export function read(object: unknown, key: unknown): ExpressionValue {
  charge();
  if (object === null || object === undefined) return null;
  if (object instanceof Map || isPlainObject(object)) {
    if (typeof key !== 'string') fail(`cannot read a map with a ${typeName(key)} key`);
    if (object instanceof Map) return scalarValue(object.get(key));
    return Object.prototype.hasOwnProperty.call(object, key) ? scalarValue(object[key]) : null;
  }
  if (Array.isArray(object)) {
    const index = numberOf(key);
    if (index === null || typeof key === 'string' || !index.isInteger()) fail(`cannot index a list with ${typeName(key)}`);
    const i = Number(index.toString());
    const at = i < 0 ? object.length + i : i;
    return scalarValue(object[at]);
  }
  return fail(`cannot read field ${String(key)} of ${typeName(object)}`);
}

/** `x in list` (an equal item), `key in map`; nothing is in nil. */
export function isIn(item: unknown, container: unknown): boolean {
  charge();
  if (container === null || container === undefined) return false;
  if (Array.isArray(container)) {
    for (const candidate of container) {
      charge();
      if (valuesEqual(item, candidate)) return true;
    }
    return false;
  }
  if (container instanceof Map) return typeof item === 'string' && container.has(item);
  if (isPlainObject(container)) return typeof item === 'string' && Object.prototype.hasOwnProperty.call(container, item);
  return fail(`invalid operation: ${typeName(item)} in ${typeName(container)}`);
}

function text(value: unknown, fn: string): string {
  if (typeof value !== 'string') fail(`${fn}() needs a string, got ${typeName(value)}`);
  charge(1 + Math.floor(value.length / 1024));
  return value;
}

function list(value: unknown, fn: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail(`${fn}() needs a list, got ${typeName(value)}`);
  return value;
}

/** The list `sum(list, 'expr')` maps over: nil reads as empty, as a relation with no rows. */
export function listOf(value: unknown): unknown[] {
  const items = list(value, 'sum');
  charge(items.length);
  return items;
}

export function len(value: unknown): ExactNumber {
  charge();
  if (value === null || value === undefined) return ExactNumber.of(0n);
  if (typeof value === 'string') return ExactNumber.of(BigInt([...value].length));
  if (Array.isArray(value)) return ExactNumber.of(BigInt(value.length));
  if (value instanceof Map) return ExactNumber.of(BigInt(value.size));
  if (isPlainObject(value)) {
    const size = Object.keys(value).length;
    charge(size);
    return ExactNumber.of(BigInt(size));
  }
  return fail(`invalid argument for len (type ${typeName(value)})`);
}

export function sum(values: unknown): ExactNumber {
  let total = ExactNumber.of(0n);
  for (const raw of list(values, 'sum')) {
    charge();
    const value = scalarValue(raw);
    if (value === null) continue;
    const n = numberOf(value);
    if (n === null) fail(`sum() needs numbers, got ${typeName(value)}`);
    total = arithmetic(() => total.plus(n));
  }
  return total;
}

export function contains(a: unknown, b: unknown): boolean {
  return text(a, 'contains').includes(text(b, 'contains'));
}
export function startsWith(a: unknown, b: unknown): boolean {
  return text(a, 'startsWith').startsWith(text(b, 'startsWith'));
}
export function endsWith(a: unknown, b: unknown): boolean {
  return text(a, 'endsWith').endsWith(text(b, 'endsWith'));
}

export function coalesce(a: unknown, b: unknown): unknown {
  return a === null || a === undefined ? scalarValue(b) : scalarValue(a);
}

function wholeNumber(value: unknown, mode: 'floor' | 'ceil' | 'round', fn: string): ExactNumber {
  charge();
  const n = numberOf(value);
  if (n === null) fail(`${fn}() needs a number, got ${typeName(value)}`);
  return n.toInteger(mode);
}

function pick(left: unknown, right: unknown, fn: 'min' | 'max'): unknown {
  const [a, b] = [scalarValue(left), scalarValue(right)];
  const order = compare(a, b, fn);
  return (fn === 'min' ? order <= 0 : order >= 0) ? a : b;
}

function toInt(value: unknown): ExactNumber {
  charge();
  const n = numberOf(value);
  if (n === null) fail(`int() cannot read ${typeName(value)}`);
  return n.compare(ExactNumber.of(0n)) < 0 ? n.toInteger('ceil') : n.toInteger('floor');
}

function toFloat(value: unknown): ExactNumber {
  charge();
  const n = numberOf(value);
  if (n === null) fail(`float() cannot read ${typeName(value)}`);
  return n;
}

function toText(raw: unknown): string {
  charge();
  const value = scalarValue(raw);
  if (value instanceof ExactNumber) return value.toString();
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  return fail(`string() cannot convert ${typeName(value)}`);
}

/** The named functions of Rocket's syntax, by name. */
export const FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  len,
  sum,
  upper: (s) => checkedString(text(s, 'upper').toUpperCase()),
  lower: (s) => checkedString(text(s, 'lower').toLowerCase()),
  trim: (s) => text(s, 'trim').trim(),
  trimPrefix: (s, p) => {
    const [value, prefix] = [text(s, 'trimPrefix'), text(p, 'trimPrefix')];
    return value.startsWith(prefix) ? value.slice(prefix.length) : value;
  },
  trimSuffix: (s, p) => {
    const [value, suffix] = [text(s, 'trimSuffix'), text(p, 'trimSuffix')];
    return suffix.length > 0 && value.endsWith(suffix) ? value.slice(0, value.length - suffix.length) : value;
  },
  hasPrefix: startsWith,
  hasSuffix: endsWith,
  indexOf: (s, sub) => ExactNumber.of(BigInt(text(s, 'indexOf').indexOf(text(sub, 'indexOf')))),
  replace: (s, from, to) => checkedString(text(s, 'replace').split(text(from, 'replace')).join(text(to, 'replace'))),
  split: (s, sep) => {
    const parts = text(s, 'split').split(text(sep, 'split'));
    charge(parts.length);
    return parts;
  },
  abs: (n) => {
    const value = toFloat(n);
    return value.compare(ExactNumber.of(0n)) < 0 ? value.negated() : value;
  },
  min: (a, b) => pick(a, b, 'min'),
  max: (a, b) => pick(a, b, 'max'),
  round: (n) => wholeNumber(n, 'round', 'round'),
  floor: (n) => wholeNumber(n, 'floor', 'floor'),
  ceil: (n) => wholeNumber(n, 'ceil', 'ceil'),
  string: toText,
  int: toInt,
  float: toFloat,
};
