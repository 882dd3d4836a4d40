import { TakesError } from '@takes/contracts';
import { SOFT_DELETE_FIELD, type EntityDefinition } from '@takes/metadata';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { listColumns, OPERATORS_BY_TYPE, type Filter, type ListColumn, type ListQuery } from './list-query';
import { sqlName } from './sql-names';

/** Where an entity's read table lives: the app's schema and the entity's table. */
export interface ReadTable {
  readonly schema: string;
  readonly table: string;
}

export interface ReadOptions {
  /** Hide rows whose `deleted_at` is set (default: the entity's `soft_delete`). */
  readonly softDelete?: boolean;
  /**
   * A boolean column that marks a row as a tombstone (e.g. the read model's `_deleted`):
   * rows where it is true are hidden (`"<column>" is not true`). Default: none.
   */
  readonly tombstoneColumn?: string;
  /** More read-table columns to select after listColumns (e.g. `_state`, `_position`). */
  readonly extraColumns?: readonly string[];
  /**
   * The rows the caller may read (a user's read permission): a row is returned when it
   * meets every filter of at least one of the lists; an empty list of lists returns no
   * row. Undefined: every row.
   */
  readonly allowedRows?: readonly (readonly Filter[])[];
}

/** The conditions every row must meet whatever the query: not soft-deleted, not a tombstone. */
export function liveRowConditions(
  eb: ExpressionBuilder<any, any>,
  prefix: string,
  hideDeleted: boolean,
  options: ReadOptions,
): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (hideDeleted) conditions.push(eb(eb.ref(`${prefix}${SOFT_DELETE_FIELD}`), 'is', null));
  if (options.tombstoneColumn !== undefined) {
    conditions.push(eb(eb.ref(`${prefix}${sqlName(options.tombstoneColumn, 'tombstone column')}`), 'is not', sql.lit(true)));
  }
  return conditions;
}

/**
 * options.allowedRows as one condition on the entity's columns (`prefix` the table alias
 * and a dot, or ''): an OR of ANDs, every name looked up in metadata and every value a
 * parameter; null when every row is allowed.
 */
export function allowedRowsCondition(
  eb: ExpressionBuilder<any, any>,
  prefix: string,
  entity: EntityDefinition,
  allowedRows: ReadOptions['allowedRows'],
): Expression<SqlBool> | null {
  if (allowedRows === undefined) return null;
  if (allowedRows.length === 0) return sql<SqlBool>`false`;
  const byName = new Map(listColumns(entity).map((c) => [c.name, c]));
  return eb.or(
    allowedRows.map((filters) =>
      eb.and(filters.map((filter) => {
        const column = columnOf(byName, filter.field, 'permission');
        return filterCondition(eb, `${prefix}${sqlName(column.name, 'column')}`, column, filter);
      })),
    ),
  );
}

/** The names a read query selects: listColumns, then options.extraColumns (checked as SQL names). */
export function selectedColumns(entity: EntityDefinition, options: ReadOptions): string[] {
  const names = listColumns(entity).map((c) => c.name);
  for (const extra of options.extraColumns ?? []) if (!names.includes(extra)) names.push(extra);
  return names.map((n) => sqlName(n, 'column'));
}

/** A row of a list or include query: the columns of listColumns, by name. */
export type ReadRow = Record<string, unknown>;

export interface ListSql {
  /** The page: listColumns(entity) (and options.extraColumns) of each row, in the query's order, paged. */
  readonly rows: SelectQueryBuilder<any, any, ReadRow>;
  /** `total`: the count of all rows that match (PostgreSQL returns it as a bigint string). */
  readonly count: SelectQueryBuilder<any, any, { total: string | number | bigint }>;
}

const COMPARISONS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** The metadata column a query names, or UNKNOWN_FIELD: a ListQuery may have been made by hand. */
export function columnOf(columns: ReadonlyMap<string, ListColumn>, name: string, what: string): ListColumn {
  const column = columns.get(name);
  if (!column) {
    throw new TakesError('UNKNOWN_FIELD', `Unknown ${what} field: ${name}`, [{ field: name, rule: 'unknown', message: `Unknown ${what} field: ${name}` }]);
  }
  return column;
}

/** One filter as a condition on the column `ref` (a metadata name), its values as parameters. */
export function filterCondition(
  eb: ExpressionBuilder<any, any>,
  ref: string,
  column: ListColumn,
  filter: Filter,
): Expression<SqlBool> {
  if (!OPERATORS_BY_TYPE[column.type].includes(filter.op)) {
    throw new TakesError('INVALID_PAYLOAD', `Filter operator ${filter.op} does not apply to ${column.name} (${column.type})`, [
      { field: column.name, rule: 'operator', message: `Filter operator ${filter.op} does not apply to ${column.name} (${column.type})` },
    ]);
  }
  const target = eb.ref(ref);
  const jsonb = column.type === 'json' || column.type === 'file';
  switch (filter.op) {
    case 'in':
      return eb(target, '=', eb.fn.any(eb.val(filter.values)));
    case 'not_in':
      return eb(target, '<>', eb.fn<any>('all', [eb.val(filter.values)]));
    case 'like':
      return eb(target, 'like', eb.val(filter.value));
    default: {
      const value = jsonb ? eb.cast(eb.val(filter.value), 'jsonb') : eb.val(filter.value);
      return eb(target, COMPARISONS[filter.op], value);
    }
  }
}

/**
 * The SQL of one list page and of its total, for an entity's read table (one column per
 * field, named as the field, plus `_version` and `_updated_at`). Nothing from the query
 * string is spliced in: every name is looked up in metadata again (a name that is not a
 * column is UNKNOWN_FIELD) and quoted by Kysely, every value is a parameter (a `like`
 * pattern included, used as written: `%` and `_` are the client's wildcards), `in` and
 * `not_in` send their list as one array parameter (`= any($1)`, `<> all($1)`).
 *
 * - Soft delete (options.softDelete, default entity.soft_delete): `deleted_at is null`;
 *   with options.tombstoneColumn also `"<column>" is not true`.
 * - Order: the query's sort keys, then the primary key ascending unless already sorted
 *   on, so that paging is stable (Rocket adds none and pages in no defined order).
 * - Paging: `limit perPage offset (page - 1) * perPage`, both parameters.
 *
 * Building executes nothing; the caller runs `rows` and `count` (and the includes).
 */
export function buildListQuery(
  db: Kysely<any>,
  table: ReadTable,
  entity: EntityDefinition,
  query: ListQuery,
  options: ReadOptions = {},
): ListSql {
  if (!Number.isSafeInteger(query.page) || query.page < 1) throw new Error('page must be a positive integer');
  if (!Number.isSafeInteger(query.perPage) || query.perPage < 1) throw new Error('perPage must be a positive integer');
  const columns = listColumns(entity);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const hideDeleted = options.softDelete ?? entity.soft_delete;
  const filters = query.filters.map((f) => ({ filter: f, column: columnOf(byName, f.field, 'filter') }));
  const sort = query.sort.map((s) => ({ column: columnOf(byName, s.field, 'sort'), dir: s.dir }));
  const primaryKey = columnOf(byName, entity.primary_key.field, 'primary key');
  if (!sort.some((s) => s.column.name === primaryKey.name)) sort.push({ column: primaryKey, dir: 'asc' });

  const from = () => db.withSchema(sqlName(table.schema, 'schema')).selectFrom(sqlName(table.table, 'table'));
  const selected = selectedColumns(entity, options);
  const where = <QB extends SelectQueryBuilder<any, any, any>>(qb: QB): QB => {
    if (!hideDeleted && options.tombstoneColumn === undefined && filters.length === 0 && options.allowedRows === undefined) return qb;
    return qb.where((eb) => {
      const conditions = liveRowConditions(eb, '', hideDeleted, options);
      for (const { filter, column } of filters) conditions.push(filterCondition(eb, sqlName(column.name, 'column'), column, filter));
      const allowed = allowedRowsCondition(eb, '', entity, options.allowedRows);
      if (allowed) conditions.push(allowed);
      return eb.and(conditions);
    }) as QB;
  };

  let rows = where(from().select(selected.map((name) => db.dynamic.ref(name))));
  for (const { column, dir } of sort) rows = rows.orderBy(sql.ref(sqlName(column.name, 'column')), dir);
  rows = rows.limit(query.perPage).offset((query.page - 1) * query.perPage);

  const count = where(from().select((eb) => eb.fn.countAll<string | number | bigint>().as('total')));
  return { rows: rows as SelectQueryBuilder<any, any, ReadRow>, count };
}
