import type { PoolClient } from 'pg';
import { EVENT_SCHEMA_VERSION, type AppendCommand, type AppendResult, type TakesEvent } from '@takes/contracts';
import { nextCommitTs, stampTimes, uniqueChanges, type PendingEvent, type StreamHead, type UniqueValue } from '@takes/decide';
import { POSITION_LOCK, executeSql, inOneTrip, type SqlStatement } from '@takes/db';
import type { EntityDefinition } from '@takes/metadata';
import { eventColumns } from '../reads/event-rows';
import { streamKey, type AppendRequest } from './append-request';

/**
 * The write half of a group commit: positions drawn under the global lock, events
 * stamped with their commit times, each command's result, and one statement that
 * inserts events, heads, snapshots, unique values and command results, then COMMIT.
 */

type Conn = PoolClient;

/** One record's share of an accepted command: the command's own record, or one of its children. */
export interface Accepted {
  request: AppendRequest;
  /** The write to this record as a command of its own (a child at its head). */
  part: AppendCommand;
  /** The child's index in the command's children; -1 for the command's own record. */
  child: number;
  events: (PendingEvent & { id: string })[];
  next: StreamHead;
  outcome: AppendResult['outcome'];
  contested: string[];
}

export type EventRow = Omit<TakesEvent, 'position'> & { position: number; trace_id: string | null };

/**
 * Takes the global position lock, then reads the database clock and draws the
 * positions. Every transaction that inserts events holds this lock until it commits,
 * so a higher position never becomes visible before a lower one.
 */
export async function takePositionLock(conn: Conn, count: number): Promise<{ clock: Date; positions: number[] }> {
  const { rows } = await conn.query<{ now: Date; positions: string[] }>(
    `SELECT clock_timestamp() AS now,
            ARRAY(SELECT nextval('event_store.events_position_seq') FROM generate_series(1, $3::int)) AS positions
     FROM (SELECT pg_advisory_xact_lock($1::int, $2::int) OFFSET 0) AS locked`,
    [POSITION_LOCK[0], POSITION_LOCK[1], count],
  );
  return { clock: rows[0].now, positions: rows[0].positions.map(Number) };
}

export function stampEvents(accepted: Accepted[], clock: Date, positions: number[]): EventRow[] {
  const lastCommit = new Map<string, string | null>();
  const lastPosition = new Map<string, number>();
  const rows: EventRow[] = [];
  for (const member of accepted) {
    const command = member.part;
    const key = streamKey(command);
    // A write that changed nothing answers with the stream's last event, this batch's included.
    if (member.events.length === 0 && lastPosition.has(key)) member.next.lastPosition = lastPosition.get(key);
    for (const event of member.events) {
      const previous = lastCommit.has(key) ? lastCommit.get(key)! : member.next.lastCommitTs;
      const commit = nextCommitTs(clock, previous);
      // Branch and submit were fixed when the event was decided (submit ≤ the clock read
      // at BEGIN ≤ commit), so this keeps them and only adds the commit time.
      const times = stampTimes(event, commit, previous);
      lastCommit.set(key, times.commit_ts);
      // Field by field, not spread: this runs for every event written.
      const row: EventRow = {
        v: EVENT_SCHEMA_VERSION,
        id: event.id,
        position: positions[rows.length],
        command_id: command.command_id,
        parent: command.parent ?? null,
        app: command.app,
        entity: command.entity,
        entity_id: command.entity_id,
        type: event.type,
        version: event.version,
        prior_version: event.prior_version,
        base_version: event.base_version,
        patch: event.patch,
        submitted: event.submitted,
        contested: event.contested,
        branch_ts: times.branch_ts,
        submit_ts: times.submit_ts,
        commit_ts: times.commit_ts,
        user: command.user,
        device: command.device ?? null,
        trace_id: member.request.traceId ?? null,
      };
      if (event.overwritten) row.overwritten = event.overwritten;
      if (event.reason) row.reason = event.reason;
      if (event.signal) row.signal = event.signal;
      if (event.webhook) row.webhook = event.webhook;
      rows.push(row);
      lastPosition.set(key, rows[rows.length - 1].position);
      member.next.lastPosition = rows[rows.length - 1].position;
    }
    member.next.lastCommitTs = lastCommit.get(key) ?? member.next.lastCommitTs;
  }
  return rows;
}

/** Each command's result: its own record's, with a nested write's related records, in order. */
export function resultsOf(accepted: Accepted[], rows: EventRow[]): Map<AppendRequest, AppendResult> {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const results = new Map<AppendRequest, AppendResult>();
  for (const part of accepted) {
    const own = part.events.map((event) => byId.get(event.id)!);
    // No event (outcome `unchanged`): the record's current version, position and commit.
    const last = own[own.length - 1] ?? { version: part.next.version, position: part.next.lastPosition ?? 0, commit_ts: part.next.lastCommitTs ?? new Date(0).toISOString(), overwritten: undefined };
    const events = own.map((row) => ({ id: row.id, type: row.type, version: row.version, position: row.position }));
    if (part.child < 0) {
      results.set(part.request, {
        outcome: part.outcome,
        command_id: part.part.command_id,
        entity_id: part.part.entity_id,
        version: last.version,
        position: last.position,
        deleted: part.next.deleted,
        record: part.next.state,
        contested: part.contested,
        events,
        commit_ts: last.commit_ts,
        ...(part.request.command.children ? { related: [] } : {}),
        ...(part.outcome === 'overwritten' && last.overwritten ? { overwritten: last.overwritten } : {}),
      });
      continue;
    }
    const result = results.get(part.request)!;
    // A child of a nested write has its path in the body; a record a transition created (create_record) has none.
    const path = part.request.command.children?.[part.child]?.path;
    result.related ??= [];
    result.related.push({
      entity: part.part.entity,
      entity_id: part.part.entity_id,
      ...(path !== undefined ? { path } : {}),
      outcome: part.outcome,
      version: last.version,
      deleted: part.next.deleted,
      record: part.next.state,
      events,
    });
    // A read that waits for this command's position sees every record it wrote.
    result.position = Math.max(result.position, last.position);
  }
  return results;
}

/** One record's unique-value changes over the whole batch. */
export interface RecordUniques {
  app: string;
  entity: string;
  entity_id: string;
  reserve: UniqueValue[];
  release: string[];
}

/** Reservation changes per record, from its state before the batch to its state after. */
export function finalUniqueChanges(
  accepted: Accepted[],
  initialStates: Map<string, Record<string, unknown>>,
  definitionOf: (command: AppendRequest['command']) => EntityDefinition | null,
): RecordUniques[] {
  const last = new Map<string, Accepted>();
  for (const member of accepted) last.set(streamKey(member.part), member);
  const out: RecordUniques[] = [];
  for (const [key, member] of last) {
    const command = member.part;
    const changes = uniqueChanges(definitionOf(command), initialStates.get(key) ?? {}, member.next.state);
    if (changes.reserve.length + changes.release.length > 0) out.push({ app: command.app, entity: command.entity, entity_id: command.entity_id, ...changes });
  }
  return out;
}

/**
 * Step 3's writes as a prepared statement, planned once per connection (planning it cost
 * about as much as running it, while the position lock is held): $1 events, $2 heads, $3
 * snapshots, $4 unique values released, $5 reserved, $6 command results, each a JSON
 * array. COMMIT follows it in the same message: one round trip under the lock.
 */
export const WRITE_BATCH: SqlStatement = {
  name: 'takes_write_batch_v2',
  text: `
    WITH new_events AS (
      INSERT INTO event_store.events (position, id, v, command_id, parent, app, entity, entity_id, type, version, prior_version,
        base_version, patch, submitted, contested, branch_ts, submit_ts, commit_ts, user_id, user_roles, device, trace_id, overwritten, reason, signal, webhook)
      SELECT position, id, v, command_id, parent, app, entity, entity_id, type, version, prior_version,
        base_version, patch, submitted, ARRAY(SELECT jsonb_array_elements_text(contested)), branch_ts, submit_ts, commit_ts,
        user_id, ARRAY(SELECT jsonb_array_elements_text(user_roles)), device, trace_id, overwritten, reason, signal, webhook
      FROM jsonb_to_recordset($1::jsonb) AS e(position bigint, id uuid, v smallint, command_id text,
        parent text, app text, entity text, entity_id text, type text, version int, prior_version int, base_version int,
        patch jsonb, submitted jsonb, contested jsonb, branch_ts timestamptz, submit_ts timestamptz, commit_ts timestamptz,
        user_id text, user_roles jsonb, device text, trace_id text, overwritten jsonb, reason jsonb, signal text, webhook jsonb)
      RETURNING 1
    ), new_heads AS (
      INSERT INTO event_store.streams (app, entity, entity_id, version, state, deleted, last_commit_ts, last_position)
      SELECT app, entity, entity_id, version, state, deleted, last_commit_ts, last_position
      FROM jsonb_to_recordset($2::jsonb) AS h(app text, entity text, entity_id text, version int,
        state jsonb, deleted boolean, last_commit_ts timestamptz, last_position bigint)
      ON CONFLICT (app, entity, entity_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state,
        deleted = EXCLUDED.deleted, last_commit_ts = EXCLUDED.last_commit_ts, last_position = EXCLUDED.last_position
      RETURNING 1
    ), new_snapshots AS (
      INSERT INTO event_store.snapshots (app, entity, entity_id, version, state, deleted, commit_ts)
      SELECT app, entity, entity_id, version, state, deleted, last_commit_ts
      FROM jsonb_to_recordset($3::jsonb) AS s(app text, entity text, entity_id text, version int,
        state jsonb, deleted boolean, last_commit_ts timestamptz)
      ON CONFLICT DO NOTHING
      RETURNING 1
    ), released_values AS (
      DELETE FROM event_store.unique_values u
      USING jsonb_to_recordset($4::jsonb)
        AS x(app text, entity text, entity_id text, field text)
      WHERE u.app = x.app AND u.entity = x.entity AND u.entity_id = x.entity_id AND u.field = x.field
      RETURNING 1
    ), reserved_values AS (
      INSERT INTO event_store.unique_values (app, entity, field, entity_id, value)
      SELECT app, entity, field, entity_id, value
      FROM jsonb_to_recordset($5::jsonb)
        AS x(app text, entity text, field text, entity_id text, value text)
      ON CONFLICT (app, entity, field, entity_id) DO UPDATE SET value = EXCLUDED.value
      RETURNING 1
    ), new_commands AS (
      INSERT INTO event_store.commands (app, user_id, command_id, body_hash, result)
      SELECT app, user_id, command_id, body_hash, result
      FROM jsonb_to_recordset($6::jsonb) AS c(app text, user_id text, command_id text, body_hash text, result jsonb)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM new_events) AS events, (SELECT count(*) FROM new_heads) AS heads, (SELECT count(*) FROM new_snapshots) AS snapshots,
           (SELECT count(*) FROM new_commands) AS commands`,
};

export async function writeAllAndCommit(
  conn: Conn,
  accepted: Accepted[],
  rows: EventRow[],
  results: Map<AppendRequest, AppendResult>,
  snapshotEvery: number,
  uniques: RecordUniques[],
): Promise<void> {
  const events = rows.map(eventColumns);
  const byId = new Map(rows.map((row) => [row.id, row]));
  // A stream's head is the last member's that appended to it (one that changed nothing leaves it).
  const finalByStream = new Map<string, Accepted>();
  for (const member of accepted) if (member.events.length > 0) finalByStream.set(streamKey(member.part), member);
  const heads = [...finalByStream.values()].map((member) => {
    const last = byId.get(member.events[member.events.length - 1].id)!;
    return {
      app: member.part.app,
      entity: member.part.entity,
      entity_id: member.part.entity_id,
      version: member.next.version,
      state: member.next.state,
      deleted: member.next.deleted,
      last_commit_ts: last.commit_ts,
      last_position: last.position,
    };
  });
  // A stream that passed a multiple of snapshotEvery in this batch gets its state kept.
  const firstVersion = new Map<string, number>();
  for (const member of accepted) {
    const key = streamKey(member.part);
    if (!firstVersion.has(key) && member.events.length > 0) firstVersion.set(key, member.events[0].prior_version);
  }
  const snapshots = heads.filter((head) => {
    const before = firstVersion.get(streamKey(head)) ?? 0;
    return Math.floor(head.version / snapshotEvery) > Math.floor(before / snapshotEvery);
  });
  const commands = [...results].map(([request, result]) => ({
    app: request.command.app,
    user_id: request.command.user.id,
    command_id: request.command.command_id,
    body_hash: request.fingerprint,
    result,
  }));
  const released = uniques.flatMap((r) => r.release.map((field) => ({ app: r.app, entity: r.entity, entity_id: r.entity_id, field })));
  const reserved = uniques.flatMap((r) => r.reserve.map((u) => ({ app: r.app, entity: r.entity, entity_id: r.entity_id, field: u.field, value: u.value })));
  await inOneTrip(conn, [executeSql(WRITE_BATCH, [events, heads, snapshots, released, reserved, commands].map((rows) => JSON.stringify(rows))), 'COMMIT']);
}

