import type { PoolClient } from 'pg';
import {
  TakesError,
  type AppendCommand,
  type AppendResult,
  type Reply,
  type TakesEvent,
} from '@takes/contracts';
import {
  META_ENTITY,
  commandFingerprint,
  decideMeta,
  decideRecord,
  isStaleEdit,
  nestedPartDecision,
  actionCreateParts,
  actionPartDecision,
  nextCommitTs,
  partsOf,
  partsProblem,
  replay,
  settleUniqueValues,
  stampTimes,
  type AppendDecision,
  type Decision,
  type RecordInput,
  type StaleContext,
  type UniqueValue,
  type DecideLimits,
  type PendingEvent,
  type StreamHead,
} from '@takes/decide';
import type { PriorEvent } from '@takes/merge';
import { metaStateOf, withMetaItem, type EntityDefinition, type MetaStateCache, type MetaState, type PositionedMetaItem } from '@takes/metadata';
import { EVENT_COLUMNS, toEvent, type EventRowData } from '../reads/event-rows';
import { loadActionEntities, lockActionHeads } from './action-targets';
import { commandKey, streamKey, type AppendRequest } from './append-request';
import { loadRelated } from './related-rows';
import { METADATA_LOCK_CLASS, dollarQuoted, executeSql, inOneTrip, prepareOnce, type SqlStatement } from '@takes/db';
import {
  WRITE_BATCH,
  finalUniqueChanges,
  resultsOf,
  stampEvents,
  takePositionLock,
  writeAllAndCommit,
  type Accepted,
  type EventRow,
} from './batch-write';

export interface AppendDeps {
  newId(): string;
  limits: DecideLimits;
  /** A snapshot of a record's state is kept each time its stream passes a multiple of this many events. */
  snapshotEvery: number;
  /** Told the events of each transaction once it has committed, in position order (the relay publishes them). */
  committed?(events: EventRow[]): void;
  /** The metadata earlier batches read, parsed: one cache per database (the positions it is keyed by are that database's). */
  metaStates: MetaStateCache;
}

/** One pooled connection, on which the batch runs its own transaction. */
type Conn = PoolClient;

/**
 * What the batch has decided so far: stream heads, events per stream (not stored yet),
 * unique values taken, and each app's metadata with the changes the batch made to it.
 */
interface BatchState {
  heads: Map<string, StreamHead>;
  events: Map<string, PriorEvent[]>;
  reserved: Map<string, string>;
  metadata: Map<string, MetaState>;
}

/** A copy a nested write decides on, kept only if every one of its records is accepted. */
function copyState(state: BatchState): BatchState {
  return {
    heads: new Map(state.heads),
    events: new Map([...state.events].map(([key, events]) => [key, [...events]])),
    reserved: new Map(state.reserved),
    metadata: new Map(state.metadata),
  };
}

/** What every part's decision reads besides the batch state. */
interface DecideContext {
  conn: Conn;
  deps: AppendDeps;
  now: Date;
  histories: Map<string, StreamHistory>;
}

/**
 * Appends a group of commands in one transaction (group commit), in the same three round
 * trips whatever the group's size (each round trip costs about 65 µs of waiting and as
 * much CPU in socket writes and reads; the two big statements are prepared, so
 * PostgreSQL plans them once per connection). Each member keeps its own idempotency
 * check, version check and result:
 *   1. BEGIN and, in the same message, read the results of command ids seen before, lock
 *      the stream heads in a fixed order (SELECT … FOR UPDATE) and read the metadata the
 *      deciders need (a batch that changes an app's metadata first takes that app's
 *      metadata lock, also in that message);
 *   (decide each command in arrival order, members of one stream one after another:
 *   the record and metadata deciders of libs/decide, given what they asked to be read)
 *   2. take the global position lock, read the clock and draw the positions;
 *   3. insert events, write heads and command results in one statement and COMMIT, in
 *      one message (@takes/db's inOneTrip).
 * A nested write (a command with children) is decided record by record and kept whole or
 * not at all: if one of its records is refused, the command is refused and none of its
 * events are written.
 * A command id that another transaction commits meanwhile (a retry racing on another
 * replica) breaks the commands table's primary key in step 3: the batch fails, and the
 * caller retries each member alone, which then finds the first result in step 1.
 * Returns one reply per member, in order. Throws if the transaction fails (it is rolled
 * back).
 */
export async function appendBatch(conn: Conn, members: AppendRequest[], deps: AppendDeps): Promise<Reply<AppendResult>[]> {
  try {
    return await decideAndWrite(conn, members, deps);
  } catch (error) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function decideAndWrite(conn: Conn, members: AppendRequest[], deps: AppendDeps): Promise<Reply<AppendResult>[]> {
  const replies = new Map<AppendRequest, Reply<AppendResult>>();
  const parts = new Map(members.map((member) => [member, partsOf(member.command)]));
  const { seen, heads, metadata, now } = await beginReadSeenAndLockHeads(conn, members, [...parts.values()].flat(), deps.metaStates);

  const fresh: AppendRequest[] = [];
  for (const member of members) {
    const prior = seen.get(commandKey(member.command));
    if (!prior) fresh.push(member);
    else if (sameRequest(prior.fingerprint, member)) replies.set(member, { data: prior.result });
    else replies.set(member, { error: reusedCommandId(member).toBody() });
  }

  const accepted: Accepted[] = [];
  const initialStates = new Map([...heads].map(([key, head]) => [key, head.state]));
  const ctx: DecideContext = { conn, deps, now, histories: new Map() };
  let state: BatchState = { heads, events: new Map(), reserved: new Map(), metadata };
  for (const member of fresh) {
    const own = parts.get(member)!;
    const problem = partsProblem(own);
    if (problem) {
      replies.set(member, { error: problem.toBody() });
      continue;
    }
    // A nested write decides on a copy, kept only if every one of its records is accepted;
    // so does a write whose transitions create records (create_record actions), which
    // join the command's parts as they are decided.
    let working = own.length === 1 ? state : copyState(state);
    const queue = [...own];
    const decided: Accepted[] = [];
    let refused: TakesError | undefined;
    for (let i = 0; i < queue.length; i += 1) {
      const part = queue[i];
      const answer = await decidePart(ctx, part, working);
      const decision = i < own.length ? nestedPartDecision(member.command, i, answer) : actionPartDecision(part, answer);
      if (decision.kind === 'reject') {
        refused = decision.error;
        break;
      }
      if (decision.creates?.length) {
        if (working === state) working = copyState(state);
        await loadActionEntities(ctx.conn, part.app, decision.creates.map((create) => create.entity), working, NO_METADATA);
        const created = actionCreateParts(part, decision.creates, (working.metadata.get(part.app) ?? NO_METADATA).metadata);
        await lockActionHeads(ctx.conn, created, working);
        queue.push(...created);
      }
      decided.push(accept(ctx, member, part, i - 1, decision, working));
    }
    if (refused) {
      replies.set(member, { error: refused.toBody() });
      continue;
    }
    state = working;
    accepted.push(...decided);
  }

  if (accepted.length > 0) {
    const count = accepted.reduce((n, part) => n + part.events.length, 0);
    // Writes that all changed nothing draw no position (their results are still kept).
    const { clock, positions } = count > 0 ? await takePositionLock(conn, count) : { clock: now, positions: [] as number[] };
    const rows = stampEvents(accepted, clock, positions);
    const results = resultsOf(accepted, rows);
    const uniques = finalUniqueChanges(accepted, initialStates, (command) => entityOf(state, command));
    await writeAllAndCommit(conn, accepted, rows, results, deps.snapshotEvery, uniques);
    if (rows.length > 0) deps.committed?.(rows);
    for (const [request, result] of results) replies.set(request, { data: result });
  } else {
    await conn.query('COMMIT');
  }
  return members.map((member) => replies.get(member)!);
}

function entityOf(state: BatchState, command: { app: string; entity: string }): EntityDefinition | null {
  return state.metadata.get(command.app)?.metadata.entities.get(command.entity) ?? null;
}

const NO_METADATA = metaStateOf([]);

/**
 * Decides one record's write against the batch state: loads what the deciders need
 * (a stale edit's history, the reservations of the unique values it takes) and asks them.
 */
async function decidePart(ctx: DecideContext, part: AppendCommand, state: BatchState): Promise<Decision> {
  const key = streamKey(part);
  const head = state.heads.get(key) ?? null;
  const app = state.metadata.get(part.app) ?? NO_METADATA;
  if (part.entity === META_ENTITY) return decideMeta({ command: part, head, app, limits: ctx.deps.limits });
  const entity = app.metadata.entities.get(part.entity) ?? null;
  // The store's clock for this stream: `now` of rules, guards and set_field.
  const now = nextCommitTs(ctx.now, head?.lastCommitTs ?? null).toISOString();
  const input: RecordInput = { command: part, head, entity, metadata: app.metadata, limits: ctx.deps.limits, now };
  if (entity) {
    try {
      input.related = await loadRelated(ctx.conn, part, head, entity, app.metadata, state.heads);
    } catch (error) {
      if (error instanceof TakesError) return { kind: 'reject', error };
      throw error;
    }
  }
  if (isStaleEdit(part, head, entity)) {
    // A stale edit is merged against the stream's events: the stored ones and those
    // this batch has decided so far (members of one stream go one after another).
    input.stale = await loadStaleContext(ctx.conn, part, part.base_version!, nextCommitTs(ctx.now, head!.lastCommitTs), ctx.histories, state.events.get(key) ?? []);
  }
  const decision = decideRecord(input);
  if (decision.kind === 'reject') return decision;
  return settleUniqueValues(input, decision, await uniqueValueTaken(ctx.conn, part, decision.reserve, state.reserved));
}

/**
 * Records an accepted decision in the batch state (its events, the record's new head,
 * a metadata change's effect on the app), so later writes in this batch follow it.
 */
function accept(ctx: DecideContext, member: AppendRequest, part: AppendCommand, child: number, decision: AppendDecision, state: BatchState): Accepted {
  const key = streamKey(part);
  const head = state.heads.get(key) ?? null;
  const accepted: Accepted = {
    request: member,
    part,
    child,
    events: decision.events.map((event) => ({ ...event, id: ctx.deps.newId() })),
    next: { ...decision.next, lastCommitTs: head?.lastCommitTs ?? null, lastPosition: head?.lastPosition },
    outcome: decision.outcome,
    contested: decision.contested,
  };
  // Every event's branch and submit times are fixed now (submit clamped to the clock
  // read at BEGIN, which the commit can only follow), so later members can merge on them.
  const streamNow = nextCommitTs(ctx.now, head?.lastCommitTs ?? null);
  const previousCommit = state.events.has(key) ? streamNow.toISOString() : (head?.lastCommitTs ?? null);
  for (const event of accepted.events) {
    const times = stampTimes(event, streamNow, event.branch_ts ?? previousCommit);
    event.branch_ts = times.branch_ts;
    event.submit_ts = times.submit_ts;
  }
  if (!state.events.has(key)) state.events.set(key, []);
  state.events.get(key)!.push(...accepted.events.map((event) => priorEvent(part, event)));
  state.heads.set(key, accepted.next);
  if (part.entity === META_ENTITY) {
    const app = state.metadata.get(part.app) ?? NO_METADATA;
    state.metadata.set(part.app, withMetaItem(app, { key: part.entity_id, definition: decision.next.state, removed: decision.next.deleted }));
  }
  return accepted;
}

/**
 * Whether a command id's stored fingerprint is this request's. A command stored before
 * commands carried the client's request fingerprint was fingerprinted whole: a resend
 * from then still matches that way.
 */
function sameRequest(stored: string, member: AppendRequest): boolean {
  if (stored === member.fingerprint) return true;
  if (!member.command.request_hash) return false;
  const { request_hash: _hash, ...command } = member.command;
  return stored === commandFingerprint(command);
}

function reusedCommandId(member: AppendRequest): TakesError {
  return new TakesError('VALIDATION_FAILED', 'this command id was already used with a different body', [
    { field: 'command_id', rule: 'idempotency', message: `command ${member.command.command_id} was already used with a different body` },
  ]);
}

interface SeenRow {
  app: string;
  user_id: string;
  command_id: string;
  body_hash: string;
  result: AppendResult;
}

interface HeadRow {
  app: string;
  entity: string;
  entity_id: string;
  version: number;
  state: Record<string, unknown>;
  deleted: boolean;
  last_commit_ts: string;
  last_position: string | number;
}

/**
 * The read of step 1 as a prepared statement: PostgreSQL plans it once per connection
 * instead of on every batch (planning this statement took longer than running it: 1.3 ms
 * against about 0.2 ms). $1 streams, $2 command ids, $3 entities, $4 apps whose
 * metadata the batch changes, each a JSON array. The heads, the command ids and the
 * entity definitions are looked up key by key (LATERAL, with FOR UPDATE or OFFSET 0 so
 * the planner cannot turn them into a join): a plan made for any parameters does not know
 * that a batch names a few keys, and it scanned the whole commands and streams tables
 * instead (2 ms a batch at 20,000 records, growing with them;
 * statement-plans.int.spec.ts).
 */
export const READ_HEADS: SqlStatement = {
  name: 'takes_read_heads_v3',
  text: `
    WITH keys AS MATERIALIZED (
      SELECT k.app, k.entity, k.entity_id FROM jsonb_to_recordset($1::jsonb) AS k(app text, entity text, entity_id text)
      ORDER BY k.app, k.entity, k.entity_id
    ), heads AS (
      -- Each head locked in key order, one lookup per key.
      SELECT h.* FROM keys k CROSS JOIN LATERAL (
        SELECT s.app, s.entity, s.entity_id, s.version, s.state, s.deleted, s.last_commit_ts, s.last_position
        FROM event_store.streams s
        WHERE s.app = k.app AND s.entity = k.entity AND s.entity_id = k.entity_id
        FOR UPDATE) h
    )
    SELECT
      (SELECT coalesce(jsonb_agg(c), '[]') FROM (
        SELECT c.app, c.user_id, c.command_id, c.body_hash, c.result
        FROM jsonb_to_recordset($2::jsonb) AS k(app text, user_id text, command_id text)
        CROSS JOIN LATERAL (
          SELECT * FROM event_store.commands c
          WHERE c.app = k.app AND c.user_id = k.user_id AND c.command_id = k.command_id OFFSET 0) c) c) AS seen,
      (SELECT coalesce(jsonb_agg(h), '[]') FROM heads h) AS heads,
      (SELECT coalesce(jsonb_agg(m), '[]') FROM (
        SELECT d.app, d.entity_id AS key, d.state AS definition, d.deleted AS removed, d.last_position AS position
        FROM jsonb_to_recordset($3::jsonb) AS k(app text, key text)
        CROSS JOIN LATERAL (
          SELECT * FROM event_store.streams d
          WHERE d.app = k.app AND d.entity = '_meta' AND d.entity_id = k.key AND NOT d.deleted OFFSET 0) d
        UNION ALL
        SELECT d.app, d.entity_id, d.state, d.deleted, d.last_position
        FROM event_store.streams d
        JOIN jsonb_to_recordset($3::jsonb) AS k(app text, entity text) ON d.app = k.app
        WHERE d.entity = '_meta' AND NOT d.deleted
          AND (d.entity_id LIKE 'rule:%' OR d.entity_id LIKE 'state_machine:%' OR d.entity_id LIKE 'permission:%')
          AND d.state->>'entity' = k.entity AND d.state->'active' IS DISTINCT FROM 'false'::jsonb
        UNION ALL
        SELECT d.app, d.entity_id, d.state, d.deleted, d.last_position
        FROM event_store.streams d
        WHERE d.entity = '_meta' AND d.app = ANY(ARRAY(SELECT jsonb_array_elements_text($4::jsonb)))) m) AS metadata,
      clock_timestamp() AS now`,
};

/**
 * BEGIN and one statement (READ_HEADS), sent in one message: the results of command ids
 * seen before, the stream heads, locked FOR UPDATE in key order, and the `_meta` records
 * the deciders need.
 *
 * Metadata: a record write needs only the definitions of the entities it writes, and
 * their active rules, state machines and permissions (`rule:<id>`, `state_machine:<id>`,
 * `permission:<id>` whose `entity` is one of them). A batch that changes an app's
 * metadata reads all of that app's `_meta` records (removed ones included), after taking the app's metadata lock (a transaction lock, keyed
 * [METADATA_LOCK_CLASS, hashtext(app)], taken in key order) in a statement of its own
 * before it in the message (each statement reads its own snapshot), so that its read
 * starts after every other change of that app's metadata has committed.
 * Two changes that would each pass alone but not together (two entities claiming one
 * table), decided on two replicas at once, are thereby decided one after the other.
 * Record writes never take that lock.
 */
async function beginReadSeenAndLockHeads(conn: Conn, members: AppendRequest[], parts: AppendCommand[], metaStates: MetaStateCache) {
  const commands = members.map((m) => ({ app: m.command.app, user_id: m.command.user.id, command_id: m.command.command_id }));
  const streams = [...new Map(parts.map((p) => [streamKey(p), { app: p.app, entity: p.entity, entity_id: p.entity_id }])).values()];
  const metaApps = [...new Set(parts.filter((p) => p.entity === META_ENTITY).map((p) => p.app))];
  const entities = [...new Map(parts.filter((p) => !metaApps.includes(p.app)).map((p) => [`${p.app}.${p.entity}`, { app: p.app, entity: p.entity, key: `entity:${p.entity}` }])).values()];
  await prepareOnce(conn, [READ_HEADS, WRITE_BATCH]);
  const metadataLock = metaApps.length > 0
    ? [`SELECT pg_advisory_xact_lock(${METADATA_LOCK_CLASS}, h)
       FROM (SELECT DISTINCT hashtext(a) AS h FROM jsonb_array_elements_text(${dollarQuoted(JSON.stringify(metaApps))}::jsonb) AS a ORDER BY 1) AS keys`]
    : [];
  const results = await inOneTrip(conn, [
    'BEGIN',
    ...metadataLock,
    executeSql(READ_HEADS, [JSON.stringify(streams), JSON.stringify(commands), JSON.stringify(entities), JSON.stringify(metaApps)]),
  ]);
  const { rows } = results[results.length - 1] as unknown as { rows: { seen: SeenRow[]; heads: HeadRow[]; metadata: (PositionedMetaItem & { app: string })[]; now: Date }[] };
  const seen = new Map<string, { fingerprint: string; result: AppendResult }>();
  for (const row of rows[0].seen) {
    seen.set(JSON.stringify([row.app, row.user_id, row.command_id]), { fingerprint: row.body_hash, result: row.result });
  }
  const heads = new Map<string, StreamHead>();
  for (const row of rows[0].heads) {
    heads.set(streamKey(row), {
      version: row.version,
      state: row.state,
      deleted: row.deleted,
      lastCommitTs: new Date(row.last_commit_ts).toISOString(),
      lastPosition: Number(row.last_position),
    });
  }
  const byApp = new Map<string, PositionedMetaItem[]>();
  for (const { app, ...item } of rows[0].metadata) byApp.set(app, [...(byApp.get(app) ?? []), { ...item, position: Number(item.position) }]);
  const metadata = new Map([...byApp].map(([app, items]) => [app, metaStates.stateOf(items)]));
  return { seen, heads, metadata, now: rows[0].now };
}

/** A stream's stored events as this batch read them (from a snapshot on). */
interface StreamHistory {
  snapshot?: { version: number; state: Record<string, unknown>; deleted: boolean; commit_ts: string };
  stored: TakesEvent[];
}

function priorEvent(command: AppendCommand, event: PendingEvent & { id: string }): PriorEvent {
  return {
    id: event.id, command_id: command.command_id, parent: command.parent ?? null, type: event.type, version: event.version,
    base_version: event.base_version, patch: event.patch, submitted: event.submitted, submit_ts: event.submit_ts!, device: command.device ?? null,
  };
}

/**
 * What a stale edit is merged from: the record at the client's base (from the nearest
 * snapshot), every event after the base (stored, then decided in this batch), and the
 * edit's branch and submit times, the submit clamped to [branch, now] with the clock
 * read at the start of the transaction. A stream's stored events are read once a batch.
 */
async function loadStaleContext(
  conn: Conn,
  command: AppendCommand,
  base: number,
  now: Date,
  histories: Map<string, StreamHistory>,
  decidedInBatch: PriorEvent[],
): Promise<StaleContext> {
  const key = streamKey(command);
  let history = histories.get(key);
  if (!history || (history.snapshot?.version ?? 0) > base) {
    const { app, entity, entity_id } = command;
    const snapshot = (await conn.query<{ version: number; state: Record<string, unknown>; deleted: boolean; commit_ts: Date }>(
      `SELECT version, state, deleted, commit_ts FROM event_store.snapshots
       WHERE app = $1 AND entity = $2 AND entity_id = $3 AND version <= $4 ORDER BY version DESC LIMIT 1`,
      [app, entity, entity_id, base],
    )).rows[0];
    history = {
      snapshot: snapshot && { ...snapshot, commit_ts: snapshot.commit_ts.toISOString() },
      stored: await eventsSince(conn, command, snapshot?.version ?? 0),
    };
    histories.set(key, history);
  }
  const upToBase = history.stored.filter((e) => e.version <= base);
  const snap = history.snapshot;
  const state = replay(upToBase, snap ? { version: snap.version, state: snap.state, deleted: snap.deleted } : undefined);
  const baseCommitTs = upToBase.length > 0 ? upToBase[upToBase.length - 1].commit_ts : (snap?.commit_ts ?? null);
  const times = stampTimes({ branch_ts: command.branch_ts ?? null, submit_ts: command.submit_ts ?? null }, now, baseCommitTs);
  return {
    base: { version: base, state: state.state, deleted: state.deleted },
    since: [...history.stored.filter((e) => e.version > base), ...decidedInBatch],
    submitTs: times.submit_ts,
    branchTs: times.branch_ts,
    baseCommitTs,
  };
}

/**
 * Whether another record holds one of the values this member would take: in this batch,
 * or in the reservations table (rows locked until commit). A value two batches take at
 * once breaks the table's unique key at write time; the members are then tried alone.
 */
async function uniqueValueTaken(conn: Conn, command: AppendCommand, reserve: UniqueValue[], inBatch: Map<string, string>): Promise<UniqueValue | null> {
  if (reserve.length === 0) return null;
  const { app, entity, entity_id } = command;
  const keyOf = (u: UniqueValue) => JSON.stringify([app, entity, u.field, u.value]);
  const clash = reserve.find((u) => inBatch.has(keyOf(u)) && inBatch.get(keyOf(u)) !== entity_id);
  if (clash) return clash;
  const { rows } = await conn.query<{ field: string; value: string; entity_id: string }>(
    `SELECT field, value, entity_id FROM event_store.unique_values
     WHERE app = $1 AND entity = $2 AND (field, value) IN (SELECT * FROM unnest($3::text[], $4::text[]))
     FOR UPDATE`,
    [app, entity, reserve.map((u) => u.field), reserve.map((u) => u.value)],
  );
  const owned = rows.find((row) => row.entity_id !== entity_id);
  if (owned) return { field: owned.field, value: owned.value };
  for (const u of reserve) inBatch.set(keyOf(u), entity_id);
  return null;
}

/** Events of the member's record after its base version, read inside the batch's transaction. */
async function eventsSince(conn: Conn, command: AppendCommand, base: number): Promise<TakesEvent[]> {
  const { app, entity, entity_id } = command;
  const { rows } = await conn.query<EventRowData>(
    `SELECT ${EVENT_COLUMNS} FROM event_store.events
     WHERE app = $1 AND entity = $2 AND entity_id = $3 AND version > $4 ORDER BY version`,
    [app, entity, entity_id, base],
  );
  return rows.map(toEvent);
}
