import type { ResolvedCondition, RowAccess } from './row-access';

/** How a field's values compare: as exact numbers, as instants, or as they are written. */
export type ValueOrder = 'number' | 'time' | 'text';

/** The order of a field type of the metadata (int, bigint, decimal: numbers; timestamp: instants; the rest: as written). */
export function valueOrderOf(type: string | undefined): ValueOrder {
  return type === 'int' || type === 'bigint' || type === 'decimal' ? 'number' : type === 'timestamp' ? 'time' : 'text';
}

/** A number or a numeric string as sign, integer digits and fraction digits, for exact comparison. */
function decimalParts(value: unknown): { negative: boolean; whole: string; fraction: string } | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    text = value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  } else if (typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value.trim())) {
    text = value.trim();
  } else return null;
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^[+-]/, '').split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  const f = fraction.replace(/0+$/, '');
  const zero = /^0*$/.test(w) && f === '';
  return { negative: negative && !zero, whole: w, fraction: f };
}

function compareMagnitude(a: { whole: string; fraction: string }, b: { whole: string; fraction: string }): number {
  if (a.whole.length !== b.whole.length) return a.whole.length < b.whole.length ? -1 : 1;
  if (a.whole !== b.whole) return a.whole < b.whole ? -1 : 1;
  const length = Math.max(a.fraction.length, b.fraction.length);
  const fa = a.fraction.padEnd(length, '0');
  const fb = b.fraction.padEnd(length, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** Exact comparison of two numbers or numeric strings (decimals and bigints keep every digit); null when one is not a number. */
export function compareNumbers(a: unknown, b: unknown): number | null {
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (!x || !y) return null;
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const magnitude = compareMagnitude(x, y);
  return x.negative ? -magnitude : magnitude;
}

/** An ISO 8601 instant as microseconds since the epoch (PostgreSQL's timestamptz keeps microseconds). */
function microseconds(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return null;
  const fraction = /\.(\d+)/.exec(value)?.[1] ?? '';
  return Math.floor(millis / 1000) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function compare(order: ValueOrder, a: unknown, b: unknown): number | null {
  if (order === 'number') return compareNumbers(a, b);
  if (order === 'time') {
    const x = microseconds(a);
    const y = microseconds(b);
    return x === null || y === null ? null : Math.sign(x - y);
  }
  if (typeof a !== typeof b) return null;
  if (a === b) return 0;
  return typeof a === 'string' ? (a < (b as string) ? -1 : 1) : null;
}

/**
 * Whether a field value meets a condition, as the read tables' SQL judges it: a missing
 * or null value meets none (not even neq or not_in), numbers compare exactly, instants as
 * instants.
 */
export function conditionHolds(value: unknown, condition: ResolvedCondition, order: ValueOrder): boolean {
  if (value === undefined || value === null) return false;
  const outcomes = condition.values.map((v) => compare(order, value, v));
  switch (condition.operator) {
    case 'eq':
    case 'in':
      return outcomes.some((o) => o === 0);
    case 'neq':
    case 'not_in':
      return outcomes.every((o) => o !== 0 && o !== null);
    case 'gt':
      return outcomes[0] !== null && outcomes[0] > 0;
    case 'gte':
      return outcomes[0] !== null && outcomes[0] >= 0;
    case 'lt':
      return outcomes[0] !== null && outcomes[0] < 0;
    case 'lte':
      return outcomes[0] !== null && outcomes[0] <= 0;
  }
}

/** Whether a record's state is among the rows an access allows (`orderOf` tells how each field compares). */
export function rowAllowed(access: RowAccess, record: Readonly<Record<string, unknown>>, orderOf: (field: string) => ValueOrder): boolean {
  if (access.kind === 'all') return true;
  if (access.kind === 'none') return false;
  return access.alternatives.some((conditions) => conditions.every((c) => conditionHolds(record[c.field], c, orderOf(c.field))));
}
