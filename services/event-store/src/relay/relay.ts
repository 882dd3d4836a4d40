import { sql, type Kysely } from 'kysely';
import { headers as natsHeaders, type JetStreamManager, type NatsConnection } from 'nats';
import { Client } from 'pg';
import { Header, type Subjects } from '@takes/contracts';
import { META_ENTITY } from '@takes/decide';
import { JetStreamBatchPublisher, newTraceparent, type BatchAck } from '@takes/bus';
import { RELAY_LOCK } from '@takes/db';
import type { EventStoreDb } from '../tables/event-store.db';
import type { EventRow } from '../append/batch-write';
import { loadRelayBatch, writtenEvent } from '../reads/event-rows';
import { readCheckpoint, saveCheckpoint } from './relay-checkpoint';

/** Most events handed over by local commits kept while the relay is behind; beyond, it reads them from PostgreSQL. */
const MAX_HANDED = 10_000;
/** How often the leading relay checks that its election connection is still there. */
const LEASE_CHECK_MS = 200;

export interface RelayOptions {
  databaseUrl: string;
  db: Kysely<EventStoreDb>;
  /** The connection the relay publishes on (JetStream acks come back on it). */
  nc: NatsConnection;
  jsm: JetStreamManager;
  stream: string;
  subjects: Subjects;
  batchSize: number;
  /**
   * How often a relay looks for new events written by other replicas (ms). A local commit
   * wakes it at once; while polls find nothing, the wait doubles up to idlePollMaxMs, so an
   * idle store costs little, and any event found or local commit brings it back to pollMs.
   */
  pollMs: number;
  idlePollMaxMs?: number;
  /** How often a relay that is not the leader tries to become it (ms). */
  electionMs: number;
  /** How often the cursor is saved to PostgreSQL while publishing (ms); the stream is the authority. */
  checkpointMs: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Told each batch published: how many, up to which position, and whether handed over by local commits or read from the events table. */
  onPublished?(count: number, position: number, from: 'commits' | 'table'): void;
  onLeader?(leader: boolean): void;
}

/** One event to publish, with the trace it was written under. */
export type RelayRow = Awaited<ReturnType<typeof loadRelayBatch>>[number];

/** Where the relay is: the last position it published and the stream sequence it landed at. */
export interface RelayCursor {
  position: number;
  seq: number;
}



/**
 * Publishes events from the events table to JetStream, in position order, exactly once.
 *
 * One relay runs per deployment: each candidate holds out for a session advisory lock on
 * a connection of its own; losing that connection means losing the lead. The leader
 * publishes with Nats-Msg-Id = event id and an expected last stream sequence, so a
 * second publisher or a stale cursor is refused by JetStream instead of doubling an
 * event. On start, and after any failure, it reconciles its cursor with the stream's
 * last message (its Takes-Position header), falling back to the checkpoint in
 * PostgreSQL when the stream no longer holds that message.
 */
export class Relay {
  /** Since when every publish has been refused, and why (null: the last batch landed). */
  private refusedSince: { at: number; reason: string } | null = null;

  /** Why this relay is not ready: its publishes refused for `forMs` or more (for /ready); null when it publishes. */
  problem(forMs = 5_000): string | null {
    const refused = this.refusedSince;
    return refused && Date.now() - refused.at >= forMs ? `the relay's publishes are refused since ${new Date(refused.at).toISOString()}: ${refused.reason}` : null;
  }

  private running = false;
  private leaderClient?: Client;
  private wakeUp?: () => void;
  private loop?: Promise<void>;
  cursor: RelayCursor = { position: 0, seq: 0 };
  private checkpointSavedAt = 0;
  private leaseCheckedAt = 0;
  private wakeScheduled = false;
  /** Events this process committed, in commit order, not yet published (made into events when taken, off the append's way to its answer). */
  private handed: EventRow[] = [];
  /** Per app, the position of its latest metadata change published so far (or later): the Takes-Meta-Position header. */
  private metaPositions = new Map<string, number>();
  leader = false;
  private publisher?: JetStreamBatchPublisher;

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Called after a local commit so the relay does not wait for its next poll. Wakes of
   * one turn of the event loop come together (setImmediate); while the relay publishes,
   * the commits made meanwhile wait for it and go out as the next batch.
   */
  wake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wakeUp?.();
    });
  }

  /**
   * Events this process has just committed, in position order. The leading relay
   * publishes them as they are when they follow its cursor without a gap, instead of
   * reading them back from PostgreSQL; anything else (events of another replica in
   * between, a position drawn by a transaction that failed, a relay behind) it reads
   * from the events table as before, so the stream is the same either way.
   */
  handOff(rows: EventRow[]): void {
    if (!this.leader || rows.length === 0) return;
    this.handed.push(...rows);
    if (this.handed.length > MAX_HANDED) this.handed.splice(0, this.handed.length - MAX_HANDED);
    this.wake();
  }

  /** The handed-over events that follow the cursor without a gap (up to a batch), or null when there are none. */
  private takeHanded(): RelayRow[] | null {
    const after = this.cursor.position;
    let stale = 0;
    while (stale < this.handed.length && this.handed[stale].position <= after) stale += 1;
    if (stale > 0) this.handed.splice(0, stale);
    if (this.handed.length === 0 || this.handed[0].position !== after + 1) return null;
    let n = 1;
    while (n < this.handed.length && n < this.options.batchSize && this.handed[n].position === this.handed[n - 1].position + 1) n += 1;
    return this.handed.splice(0, n).map((row) => ({ event: writtenEvent(row), traceId: row.trace_id }));
  }

  /** Whether events were handed over that are not published yet. */
  private handedAfterCursor(): boolean {
    return this.handed.some((row) => row.position > this.cursor.position);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.publisher?.close();
    this.publisher = undefined;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (await this.elect()) await this.lead();
      } catch (error) {
        this.options.log.warn({ err: error }, 'relay interrupted; it will reconcile and go on');
        // Until a batch lands again, /ready says why (a stream of another prefix fails here at once).
        this.refusedSince ??= { at: Date.now(), reason: String((error as Error)?.message ?? error) };
      }
      if (this.leader) await this.saveCheckpoint(true);
      this.setLeader(false);
      await this.releaseLead();
      if (this.running) await this.idle(this.options.electionMs);
    }
  }

  private setLeader(leader: boolean): void {
    if (this.leader !== leader) {
      this.leader = leader;
      this.options.onLeader?.(leader);
    }
  }

  private async elect(): Promise<boolean> {
    const client = new Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 5_000, application_name: 'takes-relay' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', RELAY_LOCK);
      if (!rows[0].got) {
        await client.end();
        return false;
      }
      this.leaderClient = client;
      this.setLeader(true);
      this.options.log.info({}, 'relay elected');
      return true;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async releaseLead(): Promise<void> {
    const client = this.leaderClient;
    this.leaderClient = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async lead(): Promise<void> {
    this.handed = [];
    this.metaPositions = new Map();
    this.cursor = await this.reconcile();
    this.options.log.info({ position: this.cursor.position, seq: this.cursor.seq }, 'relay reconciled with the stream');
    let wait = this.options.pollMs;
    // Whether to read the events table this turn: after a poll's wait (other replicas'
    // events), after a batch read from it that was full (more may be there), and when
    // the events handed over do not follow the cursor (a gap). Not after a wake, nor after
    // a batch read that was not full: that one reached the last commit visible, and what
    // this process commits next is handed over. Reading on would race the hand-over (a
    // commit is visible in the table before its append has its answer) and read back,
    // batch after batch, every event about to be handed.
    let read = true;
    while (this.running) {
      await this.checkLease();
      const handed = this.takeHanded();
      // Events handed over but not following the cursor are a gap: the table fills it.
      const fromTable = handed === null && (read || this.handed.length > 0);
      const batch = handed ?? (fromTable ? await loadRelayBatch(this.options.db, this.cursor.position, this.options.batchSize) : []);
      if (batch.length === 0) {
        // Caught up with the stream reconciled: nothing is refused.
        if (fromTable) this.refusedSince = null;
        // A commit handed over while the table was being read woke no one (the relay was
        // not waiting then): it goes out now, not at the next poll. Handed over in order,
        // it is taken as it is; out of order, the table is read again, and holds it (a
        // commit is handed over only once committed), so this cannot turn on the spot.
        if (this.handedAfterCursor()) continue;
        const woken = await this.idle(wait);
        wait = woken ? this.options.pollMs : Math.min(wait * 2, Math.max(this.options.pollMs, this.options.idlePollMaxMs ?? this.options.pollMs));
        read = !woken;
        continue;
      }
      wait = this.options.pollMs;
      read = handed === null && batch.length >= this.options.batchSize;
      const published = await this.publish(batch, handed ? 'commits' : 'table');
      if (published < batch.length) {
        // Something refused a publish (JetStream away, wrong last sequence): find out
        // from the stream itself where we are before going on.
        await this.idle(250);
        this.cursor = await this.reconcile();
        read = true;
      }
    }
  }

  /**
   * Fails if the election connection is gone: another relay may hold the lock now.
   * Asked at most every LEASE_CHECK_MS, not before every batch (a round trip off each
   * event's way to the stream): meanwhile the expected last sequence already keeps a
   * relay that lost its lock from publishing over another's.
   */
  private async checkLease(): Promise<void> {
    if (!this.leaderClient) throw new Error('relay lost its election connection');
    if (Date.now() - this.leaseCheckedAt < LEASE_CHECK_MS) return;
    await this.leaderClient.query('SELECT 1');
    this.leaseCheckedAt = Date.now();
  }

  /** Publishes a batch pipelined, each with its expected last sequence; returns how many landed in order. */
  private async publish(batch: RelayRow[], from: 'commits' | 'table'): Promise<number> {
    const { subjects } = this.options;
    const start = this.cursor;
    const metaPositions = await this.metaPositionsFor(batch);
    this.publisher ??= new JetStreamBatchPublisher(this.options.nc);
    const acks = await this.publisher.publish(
      batch.map(({ event, traceId }, i) => {
        const h = natsHeaders();
        h.set(Header.POSITION, String(event.position));
        if (event.entity === META_ENTITY) metaPositions.set(event.app, Math.max(metaPositions.get(event.app) ?? 0, event.position));
        h.set(Header.META_POSITION, String(metaPositions.get(event.app) ?? 0));
        h.set(Header.TRACEPARENT, newTraceparent(traceId ?? undefined));
        return {
          subject: subjects.event(event.app, event.entity, event.type),
          data: Buffer.from(JSON.stringify(event)),
          headers: h,
          msgId: event.id,
          expectedLastSequence: start.seq + i,
        };
      }),
      5_000,
    );
    let landed = 0;
    let seq = start.seq;
    for (const ack of acks) {
      if (!ack.ok || ack.duplicate) break;
      seq = ack.seq;
      landed += 1;
    }
    if (landed > 0) {
      const position = batch[landed - 1].event.position;
      this.cursor = { position, seq };
      this.metaPositions = metaPositions;
      this.options.onPublished?.(landed, position, from);
      await this.saveCheckpoint(false);
    }
    const failure = acks.find((ack): ack is Extract<BatchAck, { ok: false }> => !ack.ok);
    if (failure) this.options.log.warn({ reason: failure.error, landed, of: batch.length }, 'relay publish refused');
    if (landed > 0) this.refusedSince = null;
    else if (failure) this.refusedSince ??= { at: Date.now(), reason: failure.error };
    return landed;
  }

  /**
   * The meta positions to go on from for a batch: what earlier batches published, and
   * for an app not seen since this relay began leading, the last position of its `_meta`
   * records now, which is at or after its latest change before any event in the batch
   * (those were committed before this read). A copy: kept only once the batch landed.
   */
  private async metaPositionsFor(batch: RelayRow[]): Promise<Map<string, number>> {
    const positions = new Map(this.metaPositions);
    const unknown = [...new Set(batch.map(({ event }) => event.app))].filter((app) => !positions.has(app));
    if (unknown.length > 0) {
      const { rows } = await sql<{ app: string; position: string | null }>`
        SELECT a.app, (SELECT max(s.last_position) FROM event_store.streams s WHERE s.app = a.app AND s.entity = ${META_ENTITY}) AS position
        FROM unnest(${unknown}::text[]) AS a(app)`.execute(this.options.db);
      for (const row of rows) positions.set(row.app, Number(row.position ?? 0));
    }
    return positions;
  }

  /** Saves the cursor at most once per checkpoint interval (or now, when forced). */
  private async saveCheckpoint(force: boolean): Promise<void> {
    if (!force && Date.now() - this.checkpointSavedAt < this.options.checkpointMs) return;
    this.checkpointSavedAt = Date.now();
    await saveCheckpoint(this.options.db, this.options.stream, this.cursor).catch((error) =>
      this.options.log.warn({ err: error }, 'relay checkpoint not saved; the stream stays authoritative'),
    );
  }

  /**
   * Where to go on from: the Takes-Position of the stream's last message when the stream
   * still holds it, else the PostgreSQL checkpoint; the expected sequence is always the
   * stream's own last sequence.
   */
  async reconcile(): Promise<RelayCursor> {
    const { jsm, stream, db } = this.options;
    const info = await jsm.streams.info(stream);
    const lastSeq = info.state.last_seq;
    const checkpoint = await readCheckpoint(db, stream);
    if (lastSeq === 0) return { position: checkpoint?.position ?? 0, seq: 0 };
    let message;
    try {
      message = await jsm.streams.getMessage(stream, { seq: lastSeq });
    } catch {
      // The last message expired or was removed: the checkpoint says where we were.
      return { position: checkpoint?.position ?? 0, seq: lastSeq };
    }
    const position = Number(message.header.get(Header.POSITION));
    if (Number.isFinite(position) && position > 0 && (await this.isOurs(position, message.header.get(Header.MSG_ID)))) {
      return { position, seq: lastSeq };
    }
    // The stream's last message is not an event of this store (a database that was
    // recreated while the stream was kept): go on from this store's own checkpoint.
    this.options.log.warn({ stream, position, checkpoint: checkpoint?.position ?? 0 }, 'the stream ends with an event this store does not hold; relaying from the checkpoint');
    return { position: checkpoint?.position ?? 0, seq: lastSeq };
  }

  /** Whether the event at this position is the one with this id (the stream's message is ours). */
  private async isOurs(position: number, id: string): Promise<boolean> {
    const row = await this.options.db.selectFrom('events').select('id').where('position', '=', String(position)).executeTakeFirst();
    return row?.id === id;
  }

  /** Waits `ms` or until woken; true when woken. */
  private async idle(ms: number): Promise<boolean> {
    const woken = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    this.wakeUp = undefined;
    return woken;
  }
}


