import type { EntityDefinition } from '@takes/metadata';
import type { Expression, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import { INCLUDE_KEY, includedEntityName } from './includes';
import type { Include } from './list-query';
import { allowedRowsCondition, liveRowConditions, selectedColumns, type ReadOptions, type ReadRow } from './list-sql';
import { sqlName } from './sql-names';

/** Aliases of the included entity's table and of a many_to_many join table. */
const RELATED = 'r';
const JOIN = 'j';

function joinKeys(include: Include): { table: string; own: string; other: string } {
  const r = include.relation;
  if (!r.join_table || !r.source_join_key || !r.target_join_key) {
    throw new Error(`many_to_many relation ${r.name} has no join table`);
  }
  return include.direction === 'forward'
    ? { table: r.join_table, own: r.source_join_key, other: r.target_join_key }
    : { table: r.join_table, own: r.target_join_key, other: r.source_join_key };
}

/**
 * The one query that loads an include for a whole page (Rocket's strategy: a query per
 * relation, never a join of the listed table, so that rows do not multiply).
 * `related` is the entity the include loads (includedEntityName); `keys` are the page's
 * key values (includeKeys), sent as one array parameter. Each row has listColumns(related)
 * (and options.extraColumns) and INCLUDE_KEY, the listed row's key it belongs to (attachIncluded uses it):
 *
 * - forward one_to_one / one_to_many: `related.target_key = any(keys)` (the foreign key
 *   on the children);
 * - reverse one_to_one / one_to_many: `related.source_key = any(keys)` (the parents that
 *   the listed rows' target_key points at);
 * - many_to_many: the join table joined to the related table on its key (target_key
 *   forward, source_key reverse), `join.source_join_key = any(keys)` forward,
 *   `join.target_join_key = any(keys)` reverse: one row per link.
 *
 * Soft-deleted related rows are left out (options.softDelete, default related.soft_delete),
 * and tombstones (of related rows and of join rows) when options.tombstoneColumn is given; options.extraColumns are selected too.
 * Rows come ordered by INCLUDE_KEY, then the related primary key. All names come from
 * metadata, and the tables from `schema`.
 */
export function buildIncludeQuery(
  db: Kysely<any>,
  schema: string,
  include: Include,
  related: EntityDefinition,
  keys: readonly unknown[],
  options: ReadOptions = {},
): SelectQueryBuilder<any, any, ReadRow> {
  const expected = includedEntityName(include);
  if (related.name !== expected) throw new Error(`include ${include.name} loads ${expected}, not ${related.name}`);
  const r = include.relation;
  const relatedKey = include.direction === 'forward' ? r.target_key : r.source_key;
  const name = (column: string) => sqlName(column, 'column');
  const relatedTable = `${sqlName(related.table, 'table')} as ${RELATED}`;
  const base = db.withSchema(sqlName(schema, 'schema'));

  let keyColumn: string;
  let query: SelectQueryBuilder<any, any, any>;
  if (r.type === 'many_to_many') {
    const join = joinKeys(include);
    keyColumn = `${JOIN}.${name(join.own)}`;
    query = base
      .selectFrom(`${sqlName(join.table, 'join table')} as ${JOIN}`)
      .innerJoin(relatedTable, `${RELATED}.${name(relatedKey)}`, `${JOIN}.${name(join.other)}`);
  } else {
    keyColumn = `${RELATED}.${name(relatedKey)}`;
    query = base.selectFrom(relatedTable);
  }

  const hideDeleted = options.softDelete ?? related.soft_delete;
  const primaryKey = `${RELATED}.${name(related.primary_key.field)}`;
  const ordered = query
    .select(selectedColumns(related, options).map((column) => db.dynamic.ref(`${RELATED}.${column}`)))
    .select((eb) => eb.ref(keyColumn).as(INCLUDE_KEY))
    .where((eb) => {
      const conditions: Expression<SqlBool>[] = [eb(eb.ref(keyColumn), '=', eb.fn.any(eb.val(keys)))];
      // An unlinked pair keeps its join row as a tombstone (the link record was deleted).
      if (r.type === 'many_to_many') conditions.push(...liveRowConditions(eb, `${JOIN}.`, false, options));
      // Related rows the caller may not read are left out (options.allowedRows).
      const allowed = allowedRowsCondition(eb, `${RELATED}.`, related, options.allowedRows);
      return eb.and([...conditions, ...liveRowConditions(eb, `${RELATED}.`, hideDeleted, options), ...(allowed ? [allowed] : [])]);
    })
    .orderBy(keyColumn);
  return (primaryKey === keyColumn ? ordered : ordered.orderBy(primaryKey)) as SelectQueryBuilder<any, any, ReadRow>;
}
