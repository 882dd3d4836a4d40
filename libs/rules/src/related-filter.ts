/**
 * related_load filters, in Rocket's filter syntax: `{"status": "paid"}` (equal) or
 * `{"status.in": ["draft", "sent"]}`, one condition per key, all of them holding. The
 * operators are those of Rocket's list filters.
 */
export const RELATED_FILTER_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'] as const;
export type RelatedFilterOp = (typeof RELATED_FILTER_OPS)[number];

/** A filter key read as its field and operator (`status.in`), or null when the operator is unknown. */
export function filterKey(key: string): { field: string; op: RelatedFilterOp } | null {
  const dot = key.lastIndexOf('.');
  if (dot < 0) return { field: key, op: 'eq' };
  const op = key.slice(dot + 1);
  return (RELATED_FILTER_OPS as readonly string[]).includes(op) ? { field: key.slice(0, dot), op: op as RelatedFilterOp } : null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Orders two values the way a filter compares them: numbers (and numeric text, as decimals are kept) by value, other text as text; null when they do not compare. */
function order(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const x = typeof a === 'number' || (typeof a === 'string' && a.trim() !== '' && Number.isFinite(Number(a))) ? Number(a) : null;
  const y = typeof b === 'number' || (typeof b === 'string' && b.trim() !== '' && Number.isFinite(Number(b))) ? Number(b) : null;
  if (x !== null && y !== null) return x === y ? 0 : x < y ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : a < b ? -1 : 1;
  return null;
}

/** Whether a record meets one filter condition. A null value meets no comparison, as in SQL. */
export function meetsCondition(value: unknown, op: RelatedFilterOp, wanted: unknown): boolean {
  switch (op) {
    case 'eq':
      return same(value, wanted);
    case 'neq':
      return !same(value, wanted);
    case 'in':
      return Array.isArray(wanted) && wanted.some((w) => same(value, w));
    case 'not_in':
      return Array.isArray(wanted) && !wanted.some((w) => same(value, w));
    default: {
      const o = order(value, wanted);
      if (o === null) return false;
      return op === 'gt' ? o > 0 : op === 'gte' ? o >= 0 : op === 'lt' ? o < 0 : o <= 0;
    }
  }
}

/** Whether a record meets a whole filter (every key); a key with an unknown operator meets nothing. */
export function meetsFilter(state: Readonly<Record<string, unknown>>, filter: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(filter).every(([key, wanted]) => {
    const parsed = filterKey(key);
    return parsed !== null && meetsCondition(state[parsed.field], parsed.op, wanted);
  });
}
