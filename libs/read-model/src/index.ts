export { SYSTEM_COLUMNS, readColumns, columnValues, type ReadColumn } from './read-table';
export { appSchema } from './app-schema';
export { projectedRow, eventStanding, rowsToLoad, type ProjectedRow } from './projected-row';
