import type { ColumnType, Generated } from 'kysely';

/** event_store.events: one row per event, the source of truth. */
export interface EventsTable {
  position: Generated<string>;
  id: string;
  v: number;
  command_id: string;
  parent: string | null;
  app: string;
  entity: string;
  entity_id: string;
  type: string;
  version: number;
  prior_version: number;
  base_version: number;
  patch: ColumnType<unknown, string, string>;
  submitted: ColumnType<unknown, string, string>;
  contested: string[];
  branch_ts: ColumnType<Date, string, string>;
  submit_ts: ColumnType<Date, string, string>;
  commit_ts: ColumnType<Date, string, string>;
  user_id: string;
  user_roles: string[];
  device: string | null;
  /** The W3C trace id of the request that made it; the relay puts it in traceparent. */
  trace_id: string | null;
}
