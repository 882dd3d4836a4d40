import { sql, type Transaction } from 'kysely';
import {
  EVENT_SCHEMA_VERSION,
  TakesError,
  type AppendResult,
  type Reply,
  type TakesEvent,
} from '@takes/contracts';
import {
  decideAppend,
  nextCommitTs,
  stampTimes,
  type DecideLimits,
  type PendingEvent,
  type StreamHead,
} from '@takes/decide';
import type { EventStoreDb } from '../tables/event-store.db';
import { commandKey, streamKey, type AppendRequest } from './append-request';
import { loadEventsFrom } from '../reads/event-rows';

/** The one global lock that makes positions follow commit order (two-int key space). */
export const POSITION_LOCK: [number, number] = [0x7a6b, 1];

export interface AppendDeps {
  newId(): string;
  limits: DecideLimits;
}

interface Accepted {
  request: AppendRequest;
  events: (PendingEvent & { id: string })[];
  next: StreamHead;
  outcome: AppendResult['outcome'];
  contested: string[];
}

type Trx = Transaction<EventStoreDb>;

/**
 * Appends a group of commands in one transaction (group commit). Each member keeps its
 * own idempotency check, version check and result:
 *   1. lock the command ids, in a fixed order, and answer the ones seen before;
 *   2. lock the stream heads, in a fixed order (SELECT … FOR UPDATE);
 *   3. decide each command in arrival order, members of one stream one after another;
 *   4. take the global position lock, read the clock, stamp and insert the events;
 *   5. write the heads and the command results; commit.
 * Returns one reply per member, in order. Throws if the transaction fails; the caller
 * then retries the members one by one.
 */
export async function appendBatch(trx: Trx, members: AppendRequest[], deps: AppendDeps): Promise<Reply<AppendResult>[]> {
  const replies = new Map<AppendRequest, Reply<AppendResult>>();

  await lockCommandIds(trx, members);
  const seen = await seenCommands(trx, members);
  const fresh: AppendRequest[] = [];
  for (const member of members) {
    const prior = seen.get(commandKey(member.command));
    if (!prior) fresh.push(member);
    else if (prior.fingerprint === member.fingerprint) replies.set(member, { data: prior.result });
    else replies.set(member, { error: reusedCommandId(member).toBody() });
  }

  const heads = await lockStreamHeads(trx, fresh);
  const accepted: Accepted[] = [];
  for (const member of fresh) {
    const key = streamKey(member.command);
    const head = heads.get(key) ?? null;
    const since = head && (member.command.base_version ?? head.version) < head.version
      ? await loadEventsFrom(trx, member.command, (member.command.base_version ?? 0) + 1)
      : [];
    const decision = decideAppend(member.command, head, since, deps.limits);
    if (decision.kind === 'reject') {
      replies.set(member, { error: decision.error.toBody() });
      continue;
    }
    accepted.push({
      request: member,
      events: decision.events.map((event) => ({ ...event, id: deps.newId() })),
      next: { ...decision.next, lastCommitTs: head?.lastCommitTs ?? null },
      outcome: decision.outcome,
      contested: decision.contested,
    });
    heads.set(key, { ...decision.next, lastCommitTs: head?.lastCommitTs ?? null });
  }

  if (accepted.length > 0) {
    const clock = await takePositionLock(trx);
    const rows = stampEvents(accepted, clock);
    const positions = await insertEvents(trx, rows);
    const results = accepted.map((member) => resultOf(member, rows, positions));
    await writeHeads(trx, accepted, rows, positions);
    await writeCommandResults(trx, accepted, results);
    accepted.forEach((member, i) => replies.set(member.request, { data: results[i] }));
  }
  return members.map((member) => replies.get(member)!);
}

function reusedCommandId(member: AppendRequest): TakesError {
  return new TakesError('VALIDATION_FAILED', 'this command id was already used with a different body', [
    { field: 'command_id', rule: 'idempotency', message: `command ${member.command.command_id} was already used with a different body` },
  ]);
}

async function lockCommandIds(trx: Trx, members: AppendRequest[]): Promise<void> {
  const keys = [...new Set(members.map((m) => commandKey(m.command)))];
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(k, 0))
    FROM (SELECT k FROM unnest(${keys}::text[]) AS k ORDER BY hashtextextended(k, 0) OFFSET 0) AS ordered`.execute(trx);
}

async function seenCommands(trx: Trx, members: AppendRequest[]) {
  const apps = members.map((m) => m.command.app);
  const users = members.map((m) => m.command.user.id);
  const ids = members.map((m) => m.command.command_id);
  const { rows } = await sql<{ app: string; user_id: string; command_id: string; body_hash: string; result: AppendResult }>`
    SELECT c.app, c.user_id, c.command_id, c.body_hash, c.result
    FROM event_store.commands c
    JOIN unnest(${apps}::text[], ${users}::text[], ${ids}::text[]) AS k(app, user_id, command_id)
      USING (app, user_id, command_id)`.execute(trx);
  const seen = new Map<string, { fingerprint: string; result: AppendResult }>();
  for (const row of rows) {
    seen.set(JSON.stringify([row.app, row.user_id, row.command_id]), { fingerprint: row.body_hash, result: row.result });
  }
  return seen;
}

async function lockStreamHeads(trx: Trx, members: AppendRequest[]): Promise<Map<string, StreamHead>> {
  const heads = new Map<string, StreamHead>();
  if (members.length === 0) return heads;
  const unique = new Map(members.map((m) => [streamKey(m.command), m.command]));
  const list = [...unique.values()];
  const { rows } = await sql<{ app: string; entity: string; entity_id: string; version: number; state: Record<string, unknown>; deleted: boolean; last_commit_ts: Date }>`
    SELECT s.app, s.entity, s.entity_id, s.version, s.state, s.deleted, s.last_commit_ts
    FROM event_store.streams s
    JOIN unnest(${list.map((c) => c.app)}::text[], ${list.map((c) => c.entity)}::text[], ${list.map((c) => c.entity_id)}::text[])
      AS k(app, entity, entity_id) USING (app, entity, entity_id)
    ORDER BY s.app, s.entity, s.entity_id
    FOR UPDATE OF s`.execute(trx);
  for (const row of rows) {
    heads.set(streamKey(row), {
      version: row.version,
      state: row.state,
      deleted: row.deleted,
      lastCommitTs: row.last_commit_ts.toISOString(),
    });
  }
  return heads;
}

/**
 * Takes the global position lock and reads the database clock after it: every
 * transaction that inserts events does so holding this lock until it commits, so a
 * higher position never becomes visible before a lower one.
 */
async function takePositionLock(trx: Trx): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`
    SELECT clock_timestamp() AS now
    FROM (SELECT pg_advisory_xact_lock(${POSITION_LOCK[0]}::int, ${POSITION_LOCK[1]}::int) OFFSET 0) AS locked`.execute(trx);
  return rows[0].now;
}

type EventRow = Omit<TakesEvent, 'position'> & { trace_id: string | null };

function stampEvents(accepted: Accepted[], clock: Date): EventRow[] {
  const lastCommit = new Map<string, string | null>();
  const rows: EventRow[] = [];
  for (const member of accepted) {
    const { command } = member.request;
    const key = streamKey(command);
    for (const event of member.events) {
      const previous = lastCommit.has(key) ? lastCommit.get(key)! : member.next.lastCommitTs;
      const commit = nextCommitTs(clock, previous);
      // The base is the stream's previous version here (stale bases are rejected), so
      // the branch defaults to that version's commit.
      const times = stampTimes(event, commit, previous);
      lastCommit.set(key, times.commit_ts);
      rows.push({
        v: EVENT_SCHEMA_VERSION,
        id: event.id,
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
        ...times,
        user: command.user,
        device: command.device ?? null,
        trace_id: member.request.traceId ?? null,
      });
    }
    member.next.lastCommitTs = lastCommit.get(key) ?? member.next.lastCommitTs;
  }
  return rows;
}

async function insertEvents(trx: Trx, rows: EventRow[]): Promise<Map<string, number>> {
  const inserted = await trx
    .insertInto('events')
    .values(
      rows.map((row) => ({
        id: row.id,
        v: row.v,
        command_id: row.command_id,
        parent: row.parent,
        app: row.app,
        entity: row.entity,
        entity_id: row.entity_id,
        type: row.type,
        version: row.version,
        prior_version: row.prior_version,
        base_version: row.base_version,
        patch: JSON.stringify(row.patch),
        submitted: JSON.stringify(row.submitted),
        contested: row.contested,
        branch_ts: row.branch_ts,
        submit_ts: row.submit_ts,
        commit_ts: row.commit_ts,
        user_id: row.user.id,
        user_roles: row.user.roles,
        device: row.device,
        trace_id: row.trace_id,
      })),
    )
    .returning(['id', 'position'])
    .execute();
  return new Map(inserted.map((row) => [row.id, Number(row.position)]));
}

function resultOf(member: Accepted, rows: EventRow[], positions: Map<string, number>): AppendResult {
  const ids = new Set(member.events.map((e) => e.id));
  const own = rows.filter((row) => ids.has(row.id));
  const last = own[own.length - 1];
  return {
    outcome: member.outcome,
    command_id: member.request.command.command_id,
    entity_id: member.request.command.entity_id,
    version: last.version,
    position: positions.get(last.id)!,
    deleted: member.next.deleted,
    record: member.next.state,
    contested: member.contested,
    events: own.map((row) => ({ id: row.id, type: row.type, version: row.version, position: positions.get(row.id)! })),
    commit_ts: last.commit_ts,
  };
}

async function writeHeads(trx: Trx, accepted: Accepted[], rows: EventRow[], positions: Map<string, number>): Promise<void> {
  const finalByStream = new Map<string, { member: Accepted; row: EventRow }>();
  for (const member of accepted) {
    const ids = new Set(member.events.map((e) => e.id));
    const last = rows.filter((row) => ids.has(row.id)).pop()!;
    finalByStream.set(streamKey(member.request.command), { member, row: last });
  }
  const heads = [...finalByStream.values()];
  await trx
    .insertInto('streams')
    .values(
      heads.map(({ member, row }) => ({
        app: row.app,
        entity: row.entity,
        entity_id: row.entity_id,
        version: member.next.version,
        state: JSON.stringify(member.next.state),
        deleted: member.next.deleted,
        last_commit_ts: row.commit_ts,
        last_position: positions.get(row.id)!,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['app', 'entity', 'entity_id']).doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        state: eb.ref('excluded.state'),
        deleted: eb.ref('excluded.deleted'),
        last_commit_ts: eb.ref('excluded.last_commit_ts'),
        last_position: eb.ref('excluded.last_position'),
      })),
    )
    .execute();
}

async function writeCommandResults(trx: Trx, accepted: Accepted[], results: AppendResult[]): Promise<void> {
  await trx
    .insertInto('commands')
    .values(
      accepted.map((member, i) => ({
        app: member.request.command.app,
        user_id: member.request.command.user.id,
        command_id: member.request.command.command_id,
        body_hash: member.request.fingerprint,
        result: JSON.stringify(results[i]),
      })),
    )
    .execute();
}
