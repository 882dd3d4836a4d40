import { isStorableText } from '@takes/contracts';
import { formatDecimal, integerDigits, parseDecimal, roundDecimal } from './decimal';
import { isJsonObject } from './parsed';

/**
 * Rocket's field types (docs/metadata-schemas.md, "Supported Field Types", and `file`
 * from docs/examples.md and the admin UI's FIELD_TYPES).
 */
export const FIELD_TYPES = [
  'string',
  'text',
  'int',
  'bigint',
  'decimal',
  'boolean',
  'uuid',
  'timestamp',
  'date',
  'json',
  'file',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export function isFieldType(value: unknown): value is FieldType {
  return typeof value === 'string' && (FIELD_TYPES as readonly string[]).includes(value);
}

/** Rocket stores a decimal with a precision as NUMERIC(18, precision). */
export const DECIMAL_TOTAL_DIGITS = 18;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** What a value check needs to know about a field. */
export interface FieldValueSpec {
  type: FieldType;
  precision?: number;
}

export type ValueCheck = { ok: true; value: unknown } | { ok: false; rule: 'type' | 'precision'; message: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

function typeError(message: string): ValueCheck {
  return { ok: false, rule: 'type', message };
}

/**
 * Checks one non-null value against a field's type and returns it in its one canonical
 * form, so that equal values are equal JSON everywhere (merge, unique reservations,
 * projections). Normalizing a normalized value returns it unchanged. Null is the
 * caller's business (nullable/required), and is refused here.
 *
 * - string, text: a string without NUL characters or lone surrogates (PostgreSQL text
 *   cannot hold the one, and would not keep the other intact).
 * - int: a JSON number that is an integer within 32 bits (Rocket's INTEGER column).
 * - bigint: an integer number within the safe range, or a string of digits within 64
 *   bits; the result is a number when it is safe, else the digit string.
 * - decimal: a finite number or a numeric string. With a precision p (Rocket's
 *   NUMERIC(18, p)): rounded half away from zero to p fraction digits and at most 18 - p
 *   digits before the point. A number stays a number; a string becomes plain notation
 *   (padded to p digits when p is set).
 * - boolean: true or false.
 * - uuid: 8-4-4-4-12 hex, lower-cased.
 * - timestamp: ISO 8601 date and time with a zone (Z, ±HH:MM, ±HHMM or ±HH), seconds and
 *   fraction optional; the result is UTC, `YYYY-MM-DDTHH:MM:SS.sss[sss]Z` (microseconds
 *   kept, as PostgreSQL's timestamptz does; further digits are cut).
 * - date: YYYY-MM-DD, a real calendar day.
 * - json: any JSON value (no NUL or lone surrogate in strings or keys: PostgreSQL jsonb refuses them).
 * - file: a file id (a uuid, lower-cased) or a JSON object with the file's metadata,
 *   which Rocket passes through unchanged.
 */
export function normalizeFieldValue(field: FieldValueSpec, value: unknown): ValueCheck {
  switch (field.type) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') return typeError(`must be a string`);
      if (!isStorableText(value)) return typeError('must not contain NUL characters or lone surrogates');
      return { ok: true, value };
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
        return typeError(`must be an integer between ${INT32_MIN} and ${INT32_MAX}`);
      }
      return { ok: true, value: value === 0 ? 0 : value };
    case 'bigint':
      return normalizeBigint(value);
    case 'decimal':
      return normalizeDecimal(value, field.precision);
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : typeError('must be true or false');
    case 'uuid':
      return typeof value === 'string' && UUID.test(value)
        ? { ok: true, value: value.toLowerCase() }
        : typeError('must be a UUID (8-4-4-4-12 hex digits)');
    case 'timestamp':
      return normalizeTimestamp(value);
    case 'date':
      return typeof value === 'string' && parseDate(value)
        ? { ok: true, value }
        : typeError('must be a date, YYYY-MM-DD');
    case 'json':
      return isJsonValue(value) ? { ok: true, value } : typeError('must be a JSON value (no NUL characters or lone surrogates)');
    case 'file':
      if (typeof value === 'string' && UUID.test(value)) return { ok: true, value: value.toLowerCase() };
      if (isJsonObject(value) && isJsonValue(value)) return { ok: true, value };
      return typeError('must be a file id (UUID) or a file object');
    default:
      return typeError(`has an unknown type ${String((field as { type: unknown }).type)}`);
  }
}

function normalizeBigint(value: unknown): ValueCheck {
  const message = 'must be a 64-bit integer (a number, or a string of digits beyond 2^53)';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return typeError(message);
    return { ok: true, value: value === 0 ? 0 : value };
  }
  if (typeof value !== 'string' || !INTEGER_TEXT.test(value) || value.length > 25) return typeError(message);
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) return typeError(message);
  const asNumber = Number(big);
  return { ok: true, value: Number.isSafeInteger(asNumber) ? asNumber : big.toString() };
}

function normalizeDecimal(value: unknown, precision: number | undefined): ValueCheck {
  const message = 'must be a number or a numeric string';
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return typeError(message);
    if (precision === undefined) return { ok: true, value: value === 0 ? 0 : value };
    text = String(value);
  } else if (typeof value === 'string') {
    text = value;
  } else {
    return typeError(message);
  }
  const parsed = parseDecimal(text);
  if (!parsed) return typeError(message);
  const parts = precision === undefined ? parsed : roundDecimal(parsed, precision);
  if (precision !== undefined && integerDigits(parts) > DECIMAL_TOTAL_DIGITS - precision) {
    return {
      ok: false,
      rule: 'precision',
      message: `must have at most ${DECIMAL_TOTAL_DIGITS - precision} digits before the point (NUMERIC(${DECIMAL_TOTAL_DIGITS},${precision}))`,
    };
  }
  if (typeof value === 'number') {
    const rounded = Number(formatDecimal(parts));
    return { ok: true, value: rounded === 0 ? 0 : rounded };
  }
  return { ok: true, value: formatDecimal(parts, precision) };
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function validDay(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function parseDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && validDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

function normalizeTimestamp(value: unknown): ValueCheck {
  const message = 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-23T08:30:00Z';
  if (typeof value !== 'string') return typeError(message);
  const m = TIMESTAMP.exec(value);
  if (!m) return typeError(message);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] ?? '';
  if (!validDay(year, month, day) || hour > 23 || minute > 59 || second > 59) return typeError(message);
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = m[11] === undefined ? 0 : Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return typeError(message);
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day);
  moment.setUTCHours(hour, minute - offsetMinutes, second, millis);
  const utcYear = moment.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return typeError(`${message} (years 0001 to 9999)`);
  const micros = fraction.slice(3, 6).replace(/0+$/, '');
  const iso = moment.toISOString();
  return { ok: true, value: micros.length > 0 ? `${iso.slice(0, -1)}${micros}Z` : iso };
}

/**
 * True for a value JSON can carry as is: null, booleans, finite numbers, strings, arrays
 * and plain objects of those. Walks iteratively, so deep nesting cannot overflow the
 * stack; an object met twice (a cycle) is refused.
 */
export function isJsonValue(value: unknown): boolean {
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return false;
      continue;
    }
    if (typeof item === 'string') {
      if (!isStorableText(item)) return false;
      continue;
    }
    if (Array.isArray(item)) {
      if (seen.has(item)) return false;
      seen.add(item);
      for (let i = 0; i < item.length; i++) pending.push(item[i]);
      continue;
    }
    if (isJsonObject(item)) {
      if (seen.has(item)) return false;
      seen.add(item);
      for (const key of Object.keys(item)) {
        if (!isStorableText(key)) return false;
        pending.push(item[key]);
      }
      continue;
    }
    return false;
  }
  return true;
}

/** Now, as an auto field of this type stores it. */
export function autoValue(type: FieldType, now: Date): string {
  const iso = now.toISOString();
  return type === 'date' ? iso.slice(0, 10) : iso;
}
