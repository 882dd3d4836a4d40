import type { ColumnType, Generated } from 'kysely';
import type { ErrorBody, TakesEvent, WebhookRequest } from '@takes/contracts';

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
  patch: ColumnType<TakesEvent['patch'], string, string>;
  submitted: ColumnType<Record<string, unknown>, string, string>;
  contested: string[];
  branch_ts: ColumnType<Date, string, string>;
  submit_ts: ColumnType<Date, string, string>;
  commit_ts: ColumnType<Date, string, string>;
  user_id: string;
  user_roles: string[];
  device: string | null;
  /** The W3C trace id of the request that made it; the relay puts it in traceparent. */
  trace_id: string | null;
  /** lost_update: the values the write destroyed, by JSON Pointer. */
  overwritten: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  /** shelved: why the edit was not applied, in the error shape. */
  reason: ColumnType<ErrorBody | null, string | null, string | null>;
  /** signaled events: the send_event action's name. */
  signal: string | null;
  /** webhook_requested events: the call a webhook action asked for. */
  webhook: ColumnType<WebhookRequest | null, string | null, string | null>;
}
