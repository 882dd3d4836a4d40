// @takes/query: Rocket's list query (`filter[f.op]=v`, `sort=-a,b`, `page`, `per_page`,
// `include=r`) read against metadata into a typed ListQuery, and the Kysely queries that
// serve it from the read tables (a page, its total, one query per include). Pure: the
// queries are built, never run; the caller executes them.
export {
  type Filter,
  type FilterOperator,
  type Include,
  type ListColumn,
  type ListLimits,
  type ListOperator,
  type ListQuery,
  type SortDirection,
  type SortKey,
  type ValueOperator,
} from './list-query';
export { type FilterValue, type FilterValueCheck } from './filter-values';
export { parseListQuery, type RawQuery } from './parse-list-query';
export {
  INCLUDE_KEY,
  attachIncluded,
  includeKeys,
  includedEntityName,
} from './includes';
export { allowedRowsCondition, buildListQuery, type ListSql, type ReadOptions, type ReadRow, type ReadTable } from './list-sql';
export { buildIncludeQuery } from './include-sql';
