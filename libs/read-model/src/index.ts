export { SYSTEM_COLUMNS, SOFT_DELETE_COLUMN, readColumns, columnValues, type ReadColumn } from './read-table';
export { appSchema } from './app-schema';
export {
  createdRow,
  patchedRow,
  deletedRow,
  restoredRow,
  versionOnly,
  eventStanding,
  rowsToLoad,
  type ProjectedRow,
} from './projected-row';
