import { SOFT_DELETE_FIELD, type EntityDefinition, type FieldType, type RelationDefinition } from '@takes/metadata';

/** Rocket's filter operators (docs/examples.md, "Filter operators"); `filter[f]=v` means eq. */
export const FILTER_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'like'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];
/** The operators that take a comma-separated list of values. */
export type ListOperator = Extract<FilterOperator, 'in' | 'not_in'>;
export type ValueOperator = Exclude<FilterOperator, ListOperator>;

export function isFilterOperator(value: string): value is FilterOperator {
  return (FILTER_OPERATORS as readonly string[]).includes(value);
}

/**
 * The operators each column type accepts. Ordering (gt..lte) is refused on boolean, json
 * and file; `like` is for string and text only; json and file (jsonb columns) compare
 * whole values only (eq, neq): a comma list cannot be told apart from JSON's own commas.
 */
export const OPERATORS_BY_TYPE: Readonly<Record<FieldType, readonly FilterOperator[]>> = {
  string: FILTER_OPERATORS,
  text: FILTER_OPERATORS,
  int: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  bigint: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  decimal: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  uuid: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  timestamp: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'],
  boolean: ['eq', 'neq', 'in', 'not_in'],
  json: ['eq', 'neq'],
  file: ['eq', 'neq'],
};

/** The read tables' own columns, next to one column per field (named as the field). */
export const VERSION_COLUMN = '_version';
export const UPDATED_AT_COLUMN = '_updated_at';

/** A column a list may filter and sort on: a declared field or one of the system columns. */
export interface ListColumn {
  readonly name: string;
  readonly type: FieldType;
  /** True for `_version`, `_updated_at` and an undeclared `deleted_at`. */
  readonly system: boolean;
}

/**
 * The columns of an entity's read table that a list selects, filters and sorts on, in
 * order: its declared fields (removed fields are not among them), `deleted_at` when the
 * entity has soft delete and does not declare it, then `_version` (int) and
 * `_updated_at` (timestamp).
 */
export function listColumns(entity: EntityDefinition): ListColumn[] {
  const columns: ListColumn[] = entity.fields.map((f) => ({ name: f.name, type: f.type, system: false }));
  if (entity.soft_delete && !entity.fields.some((f) => f.name === SOFT_DELETE_FIELD)) {
    columns.push({ name: SOFT_DELETE_FIELD, type: 'timestamp', system: true });
  }
  columns.push({ name: VERSION_COLUMN, type: 'int', system: true });
  columns.push({ name: UPDATED_AT_COLUMN, type: 'timestamp', system: true });
  return columns;
}

/** The list column of that name, or undefined. */
export function listColumn(entity: EntityDefinition, name: string): ListColumn | undefined {
  return listColumns(entity).find((c) => c.name === name);
}

/**
 * One filter, its value already read by the column's type (see parseFilterValue): a
 * number or a string for numbers (bigint beyond 2^53 and decimal stay digit strings),
 * true/false, a lower-cased uuid, a UTC ISO timestamp, a date, or JSON text for json and
 * file columns.
 */
export type Filter =
  | { readonly field: string; readonly op: ValueOperator; readonly value: string | number | boolean }
  | { readonly field: string; readonly op: ListOperator; readonly values: readonly (string | number | boolean)[] };

export type SortDirection = 'asc' | 'desc';
export interface SortKey {
  readonly field: string;
  readonly dir: SortDirection;
}

/**
 * A relation to load with the page: `forward` when the listed entity is the relation's
 * source (children, or targets through the join table), `reverse` when it is the target
 * (the parent that owns it, as Rocket's reverse includes). `name` is the include as the
 * client wrote it, and the key each row gets it under.
 */
export interface Include {
  readonly name: string;
  readonly relation: RelationDefinition;
  readonly direction: 'forward' | 'reverse';
}

/** A parsed `GET /api/:app/:entity` query: every name in it comes from metadata. */
export interface ListQuery {
  readonly filters: readonly Filter[];
  readonly sort: readonly SortKey[];
  readonly page: number;
  readonly perPage: number;
  readonly include: readonly Include[];
}

export interface ListLimits {
  readonly defaultPerPage: number;
  readonly maxPerPage: number;
}

/** Rocket's paging: 25 a page unless asked, at most 100 (larger asks are cut to 100). */
export const DEFAULT_LIST_LIMITS: ListLimits = { defaultPerPage: 25, maxPerPage: 100 };
