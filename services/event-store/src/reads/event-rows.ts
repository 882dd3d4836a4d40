import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { TakesEvent } from '@takes/contracts';
import type { EventStoreDb } from '../tables/event-store.db';
import type { EventsTable } from '../tables/events.table';
import { jsonbOrdered } from './jsonb-order';

type Db = Kysely<EventStoreDb> | Transaction<EventStoreDb>;

/** A row of event_store.events as pg returns it (trace_id only where a read selects it). */
export type EventRowData = Omit<Selectable<EventsTable>, 'trace_id'> & { trace_id?: string | null };

/** A row of event_store.events as the event envelope. */
export function toEvent(row: EventRowData): TakesEvent {
  const event: TakesEvent = {
    v: row.v,
    id: row.id,
    command_id: row.command_id,
    parent: row.parent,
    app: row.app,
    entity: row.entity,
    entity_id: row.entity_id,
    type: row.type as TakesEvent['type'],
    version: row.version,
    prior_version: row.prior_version,
    base_version: row.base_version,
    patch: row.patch,
    submitted: row.submitted,
    contested: row.contested,
    branch_ts: row.branch_ts.toISOString(),
    submit_ts: row.submit_ts.toISOString(),
    commit_ts: row.commit_ts.toISOString(),
    position: Number(row.position),
    user: { id: row.user_id, roles: row.user_roles },
    device: row.device,
  };
  // The optional fields only where a type has them, in this order (a published event is the same JSON as a read one).
  if (row.overwritten) event.overwritten = row.overwritten;
  if (row.reason) event.reason = row.reason;
  if (row.signal) event.signal = row.signal;
  if (row.webhook) event.webhook = row.webhook;
  return event;
}

/** An event about to be written, with its position and the trace it was written under. */
type EventToWrite = Omit<TakesEvent, 'position'> & { position: number; trace_id: string | null };

/**
 * An event as the columns of its row: the user in two columns, the optional fields a
 * type may leave out as null. Written out field by field: this runs for every event
 * written, and an object rest and spread cost more than the rest of it.
 */
export function eventColumns(event: EventToWrite) {
  return {
    position: event.position,
    id: event.id,
    v: event.v,
    command_id: event.command_id,
    parent: event.parent,
    app: event.app,
    entity: event.entity,
    entity_id: event.entity_id,
    type: event.type,
    version: event.version,
    prior_version: event.prior_version,
    base_version: event.base_version,
    patch: event.patch,
    submitted: event.submitted,
    contested: event.contested,
    branch_ts: event.branch_ts,
    submit_ts: event.submit_ts,
    commit_ts: event.commit_ts,
    user_id: event.user.id,
    user_roles: event.user.roles,
    device: event.device,
    trace_id: event.trace_id,
    overwritten: event.overwritten ?? null,
    reason: event.reason ?? null,
    signal: event.signal ?? null,
    webhook: event.webhook ?? null,
  };
}

/**
 * An event this process has just written, as a read of its row would give it back (the
 * relay publishes it without reading it again): timestamps at PostgreSQL's precision
 * through Date, JSON columns in jsonb's key order.
 */
export function writtenEvent(written: EventToWrite): TakesEvent {
  const json = <T>(value: T): T => jsonbOrdered(value) as T;
  // Its columns (a new object), with what a read gives otherwise set in place: no spread.
  const columns = eventColumns(written);
  return toEvent(Object.assign(columns, {
    patch: json(columns.patch),
    submitted: json(columns.submitted),
    overwritten: json(columns.overwritten),
    reason: json(columns.reason),
    webhook: json(columns.webhook),
    branch_ts: new Date(columns.branch_ts),
    submit_ts: new Date(columns.submit_ts),
    commit_ts: new Date(columns.commit_ts),
    position: String(columns.position),
  }) as unknown as EventRowData);
}

/** The envelope's columns, in one list for every read. */
export const EVENT_COLUMNS =
  'position, id, v, command_id, parent, app, entity, entity_id, type, version, prior_version, base_version, patch, submitted, contested, branch_ts, submit_ts, commit_ts, user_id, user_roles, device, overwritten, reason, signal, webhook';
const COLUMNS = sql.raw(EVENT_COLUMNS);

/** Events of one record from a version on, in version order. */
export async function loadEventsFrom(
  db: Db,
  record: { app: string; entity: string; entity_id: string },
  fromVersion: number,
  limit = 10_000,
): Promise<TakesEvent[]> {
  const { rows } = await sql<EventRowData>`
    SELECT ${COLUMNS} FROM event_store.events
    WHERE app = ${record.app} AND entity = ${record.entity} AND entity_id = ${record.entity_id} AND version >= ${fromVersion}
    ORDER BY version LIMIT ${limit}`.execute(db);
  return rows.map(toEvent);
}

/** Events of one record after a version, up to a version or a time (commit_ts ≤ time), in version order. */
export async function loadEventsUpTo(
  db: Db,
  record: { app: string; entity: string; entity_id: string },
  until: { version?: number; time?: string },
  afterVersion = 0,
): Promise<TakesEvent[]> {
  const { rows } = await sql<EventRowData>`
    SELECT ${COLUMNS} FROM event_store.events
    WHERE app = ${record.app} AND entity = ${record.entity} AND entity_id = ${record.entity_id} AND version > ${afterVersion}
      AND (${until.version ?? null}::int IS NULL OR version <= ${until.version ?? null}::int)
      AND (${until.time ?? null}::timestamptz IS NULL OR commit_ts <= ${until.time ?? null}::timestamptz)
    ORDER BY version`.execute(db);
  return rows.map(toEvent);
}

/**
 * Events after a global position, in position order. Positions follow commit order, so
 * a reader that resumes after the last position it saw never skips an event.
 */
export async function loadEventsAfter(db: Db, afterPosition: number, limit: number, app?: string, untilPosition?: number): Promise<TakesEvent[]> {
  const { rows } = await sql<EventRowData>`
    SELECT ${COLUMNS} FROM event_store.events
    WHERE position > ${afterPosition} AND (${app ?? null}::text IS NULL OR app = ${app ?? null}::text)
      AND position <= ${untilPosition ?? Number.MAX_SAFE_INTEGER}
    ORDER BY position LIMIT ${limit}`.execute(db);
  return rows.map(toEvent);
}

/** The relay's read: events after a position with the trace id each was written under. */
export async function loadRelayBatch(
  db: Db,
  afterPosition: number,
  limit: number,
): Promise<{ event: TakesEvent; traceId: string | null }[]> {
  const { rows } = await sql<EventRowData>`
    SELECT ${COLUMNS}, trace_id FROM event_store.events
    WHERE position > ${afterPosition}
    ORDER BY position LIMIT ${limit}`.execute(db);
  return rows.map((row) => ({ event: toEvent(row), traceId: row.trace_id ?? null }));
}

export interface SnapshotRow {
  version: number;
  state: Record<string, unknown>;
  deleted: boolean;
  commit_ts: string;
}

/** The newest snapshot of a record at or before a version or a time, if any. */
export async function loadSnapshot(
  db: Db,
  record: { app: string; entity: string; entity_id: string },
  until: { version?: number; time?: string },
): Promise<SnapshotRow | undefined> {
  const { rows } = await sql<{ version: number; state: Record<string, unknown>; deleted: boolean; commit_ts: Date }>`
    SELECT version, state, deleted, commit_ts FROM event_store.snapshots
    WHERE app = ${record.app} AND entity = ${record.entity} AND entity_id = ${record.entity_id}
      AND (${until.version ?? null}::int IS NULL OR version <= ${until.version ?? null}::int)
      AND (${until.time ?? null}::timestamptz IS NULL OR commit_ts <= ${until.time ?? null}::timestamptz)
    ORDER BY version DESC LIMIT 1`.execute(db);
  const row = rows[0];
  return row && { version: row.version, state: row.state, deleted: row.deleted, commit_ts: row.commit_ts.toISOString() };
}
