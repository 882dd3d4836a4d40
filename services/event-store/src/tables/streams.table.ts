import type { ColumnType } from 'kysely';

/** event_store.streams: the head of each record's stream (version, state, deleted flag). */
export interface StreamsTable {
  app: string;
  entity: string;
  entity_id: string;
  version: number;
  state: ColumnType<Record<string, unknown>, string, string>;
  deleted: boolean;
  last_commit_ts: ColumnType<Date, string, string>;
  last_position: ColumnType<string, string | number, string | number>;
}
