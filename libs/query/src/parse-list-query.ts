import { TakesError, type ErrorDetail } from '@takes/contracts';
import type { EntityDefinition, RelationDefinition } from '@takes/metadata';
import { parseFilterValue, type FilterValue } from './filter-values';
import { resolveInclude } from './includes';
import {
  DEFAULT_LIST_LIMITS,
  isFilterOperator,
  listColumns,
  OPERATORS_BY_TYPE,
  type Filter,
  type Include,
  type ListColumn,
  type ListLimits,
  type ListQuery,
  type SortKey,
} from './list-query';

/** A parsed querystring as Fastify hands it over (`filter[site.eq]=x` keeps its key whole). */
export type RawQuery = Readonly<Record<string, unknown>>;

const FILTER_KEY = /^filter\[(.*)\]$/s;
const INTEGER_TEXT = /^[+-]?\d+$/;

/** Problems found while reading a query: unknown names, and malformed filters. */
class QueryProblems {
  readonly unknown: ErrorDetail[] = [];
  readonly invalid: ErrorDetail[] = [];

  unknownName(name: string, message: string): void {
    this.unknown.push({ field: name, rule: 'unknown', message });
  }
  invalidFilter(field: string, rule: string, message: string): void {
    this.invalid.push({ field, rule, message });
  }

  /** UNKNOWN_FIELD wins over INVALID_PAYLOAD: Rocket checks a name before its value. */
  throwIfAny(): void {
    if (this.unknown.length > 0) throw new TakesError('UNKNOWN_FIELD', this.unknown[0].message, this.unknown);
    if (this.invalid.length > 0) throw new TakesError('INVALID_PAYLOAD', this.invalid[0].message, this.invalid);
  }
}

/** Every text value of one parameter (Fastify gives a repeated parameter as an array). */
function texts(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return null;
}

/** The comma-separated items of a list parameter, trimmed, empty ones skipped. */
function listItems(value: unknown): string[] {
  return (texts(value) ?? []).flatMap((text) => text.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `filter[...]` keys (and a `filter` object, as the qs parser would give) as [inner, value] pairs. */
function filterEntries(query: RawQuery): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(query)) {
    const match = FILTER_KEY.exec(key);
    if (match) entries.push([match[1], value]);
  }
  const nested = query.filter;
  if (typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
    for (const [inner, value] of Object.entries(nested)) entries.push([inner, value]);
  }
  return entries;
}

function parseFilters(columns: ReadonlyMap<string, ListColumn>, query: RawQuery, problems: QueryProblems): Filter[] {
  const filters: Filter[] = [];
  for (const [inner, value] of filterEntries(query)) {
    // Rocket splits at the first dot: `total.gte` → (total, gte); `status` → (status, eq).
    const dot = inner.indexOf('.');
    const name = dot < 0 ? inner : inner.slice(0, dot);
    const op = dot < 0 ? 'eq' : inner.slice(dot + 1);
    const column = columns.get(name);
    if (!column) {
      problems.unknownName(name, `Unknown filter field: ${name}`);
      continue;
    }
    if (!isFilterOperator(op)) {
      problems.invalidFilter(name, 'operator', `Unknown filter operator "${op}" for ${name}: use one of eq, neq, gt, gte, lt, lte, in, not_in, like`);
      continue;
    }
    if (!OPERATORS_BY_TYPE[column.type].includes(op)) {
      problems.invalidFilter(name, 'operator', `Filter operator ${op} does not apply to ${name} (${column.type}); use one of ${OPERATORS_BY_TYPE[column.type].join(', ')}`);
      continue;
    }
    const raws = texts(value);
    if (raws === null) {
      problems.invalidFilter(name, 'type', `Invalid filter value for ${name}: must be text`);
      continue;
    }
    for (const raw of raws) {
      const read = (text: string): FilterValue | null => {
        const checked = parseFilterValue(column.type, text);
        if (checked.ok) return checked.value;
        problems.invalidFilter(name, 'type', `Invalid filter value for ${name}: ${checked.message}`);
        return null;
      };
      if (op === 'in' || op === 'not_in') {
        const values = raw.split(',').map((part) => read(part.trim()));
        if (values.every((v): v is FilterValue => v !== null)) filters.push({ field: column.name, op, values });
      } else {
        const single = read(raw);
        if (single !== null) filters.push({ field: column.name, op, value: single });
      }
    }
  }
  return filters;
}

function parseSort(columns: ReadonlyMap<string, ListColumn>, value: unknown, problems: QueryProblems): SortKey[] {
  const sort: SortKey[] = [];
  for (const item of listItems(value)) {
    const desc = item.startsWith('-');
    const name = desc || item.startsWith('+') ? item.slice(1) : item;
    const column = columns.get(name);
    if (!column) {
      problems.unknownName(name, `Unknown sort field: ${name}`);
      continue;
    }
    // A field sorted twice: the first mention decides, later ones could change nothing.
    if (!sort.some((s) => s.field === column.name)) sort.push({ field: column.name, dir: desc ? 'desc' : 'asc' });
  }
  return sort;
}

/** A positive integer parameter (its first value), or null when absent or not one (Rocket: the default applies). */
function positiveInteger(value: unknown): number | null {
  const first = texts(value)?.[0]?.trim();
  if (first === undefined || !INTEGER_TEXT.test(first)) return null;
  const number = Number(first);
  return Number.isSafeInteger(number) && number > 0 ? number : null;
}

function parseIncludes(
  entity: EntityDefinition,
  relations: readonly RelationDefinition[],
  value: unknown,
  problems: QueryProblems,
): Include[] {
  const include: Include[] = [];
  for (const name of listItems(value)) {
    if (include.some((i) => i.name === name)) continue;
    const found = resolveInclude(entity, relations, name);
    if (!found) {
      problems.unknownName(name, `Unknown include: ${name}`);
      continue;
    }
    include.push(found);
  }
  return include;
}

/**
 * Reads the query of `GET /api/:app/:entity` as Rocket does (docs/dynamic-rest-api.md,
 * its Go and Express `ParseQueryParams`), checking every name against metadata so that
 * nothing from the query string reaches SQL but values.
 *
 * - `filter[f]=v` (eq) and `filter[f.op]=v`, op one of FILTER_OPERATORS; `in`/`not_in`
 *   take a comma-separated list (each item trimmed). A repeated filter parameter adds a
 *   filter per value (all must hold). f is a field of the entity or a system column
 *   (listColumns). Values are read by the column's type (parseFilterValue).
 * - `sort=-a,b`: `-` descending, `+` or nothing ascending; empty items are skipped.
 * - `page`, `per_page`: positive integers; absent, not a number or below 1 → the default
 *   (1; limits.defaultPerPage); per_page above limits.maxPerPage is cut to it (Rocket).
 * - `include=r1,r2`: relation names (see resolveInclude for Rocket's aliases).
 * - Other parameters are ignored, as Rocket ignores them.
 *
 * Throws TakesError UNKNOWN_FIELD (400) for unknown filter or sort fields and includes,
 * with one detail `{field, rule: 'unknown', message}` each; otherwise INVALID_PAYLOAD
 * (400) for an unknown operator or one that does not apply to the column's type (rule
 * 'operator') and for values that do not read as the column's type (rule 'type').
 *
 * `relations`: the app's relations (those that neither start nor end at the entity are
 * skipped), or only those that start at it to allow forward includes only.
 */
export function parseListQuery(
  entity: EntityDefinition,
  relations: readonly RelationDefinition[],
  query: RawQuery,
  limits: ListLimits = DEFAULT_LIST_LIMITS,
): ListQuery {
  if (!Number.isSafeInteger(limits.maxPerPage) || limits.maxPerPage < 1) throw new Error('maxPerPage must be a positive integer');
  if (!Number.isSafeInteger(limits.defaultPerPage) || limits.defaultPerPage < 1 || limits.defaultPerPage > limits.maxPerPage) {
    throw new Error('defaultPerPage must be a positive integer no larger than maxPerPage');
  }
  const columns = new Map(listColumns(entity).map((c) => [c.name, c]));
  const problems = new QueryProblems();
  const filters = parseFilters(columns, query, problems);
  const sort = parseSort(columns, query.sort, problems);
  const include = parseIncludes(entity, relations, query.include, problems);
  problems.throwIfAny();

  const perPage = Math.min(positiveInteger(query.per_page) ?? limits.defaultPerPage, limits.maxPerPage);
  // The last page whose offset is still an exact number: further pages are as empty.
  const lastPage = Math.floor(Number.MAX_SAFE_INTEGER / perPage);
  const page = Math.min(positiveInteger(query.page) ?? 1, lastPage);
  return { filters, sort, page, perPage, include };
}
