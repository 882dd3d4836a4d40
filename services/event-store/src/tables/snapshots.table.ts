import type { ColumnType } from 'kysely';

/** event_store.snapshots: a record's state every N events of its stream. */
export interface SnapshotsTable {
  app: string;
  entity: string;
  entity_id: string;
  version: number;
  state: ColumnType<Record<string, unknown>, string, string>;
  deleted: boolean;
  commit_ts: ColumnType<Date, string, string>;
}
