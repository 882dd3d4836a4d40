import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { RebuildState, RebuildStatus, TakesEvent } from '@takes/contracts';
import { inTransaction } from '@takes/db';
import type { EntityDefinition } from '@takes/metadata';
import { eventStanding, rowsToLoad, type ProjectedRow } from '@takes/read-model';
import { projectOne } from '../projection/project-batch';
import { dropReadTable, ensureReadTable, loadRows, swapInReadTable, writeRows } from '../projection/read-tables';
import { etaSeconds, progressRates, trimSamples, type ProgressSample } from './rebuild-progress';

/** The event store as a rebuild reads it. */
export interface RebuildSource {
  /** The app's events after a position (up to `until`), in position order, at most `limit`. Throws when the store does not answer. */
  readAfter(after: number, limit: number, until?: number): Promise<TakesEvent[]>;
  /** The store's last position as far as it is known (0 when unknown). */
  lastPosition(): Promise<number>;
}

/** The live projection, which a rebuild follows and briefly pauses. */
export interface LiveProjection {
  /** Committed entity definitions of an app, with the position of the metadata event that made each. */
  entities(app: string): { name: string; definition: EntityDefinition; removed: boolean; position: number }[];
  /** The position the live read tables have applied. */
  watermark(): Promise<number>;
  /** Runs `fn` between two live batches, holding the next one back until it is done. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export interface RebuildOptions {
  app: string;
  entities: { name: string; definition: EntityDefinition }[];
  source: RebuildSource;
  live: LiveProjection;
  pool: Pool;
  log: Logger;
  /** Events per store request (at most 1000). */
  page: number;
  /** Events applied per transaction. */
  chunk: number;
}

/** One entity's tables: the live one, the new one being built, and the name the live one is renamed to when swapped out. */
interface RebuildTable {
  name: string;
  table: string;
  building: string;
  retired: string;
  /** The definition the new table's columns were made from, and the position of its metadata event. */
  definition: EntityDefinition;
  definedAt: number;
  /** Whether the new table has its filter and sort indexes yet (made once it is filled). */
  indexed: boolean;
}

/** Swaps wait this long for readers of the old tables before giving up (and trying again after a catch-up). */
const SWAP_LOCK_TIMEOUT = '2s';
const SWAP_ATTEMPTS = 10;
/** Consecutive failed store reads before a rebuild gives up. */
const READ_ATTEMPTS = 20;
/** The same in the last step, which holds the live projector back: fewer, then the step is tried again later. */
const FINAL_READ_ATTEMPTS = 2;
/** Store reads in flight at once while copying: ranges of positions read side by side, applied in order. */
const RANGE_READS = 3;
const PROGRESS_EVERY_MS = 1_000;
const RATE_WINDOW_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `<table><suffix>`, cut (with a hash of the table name, so two long names stay apart) to PostgreSQL's 63 characters. */
export function sideTableName(table: string, suffix: string): string {
  if (table.length + suffix.length <= 63) return `${table}${suffix}`;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
  return `${table.slice(0, 63 - suffix.length - 9)}_${hash}${suffix}`;
}

/**
 * Rebuilds read tables from position 0 while the live ones keep serving: the app's
 * events are read from the event store a page at a time, applied set-based (the rows a
 * chunk touches loaded once, written once) into new tables `<table>__rebuild`, up to
 * the live projector's watermark. Then, with the live projector paused between two
 * batches, the events up to its (now still) watermark are applied and every new table
 * is swapped in, in one transaction. Readers waiting on an old table read the new one
 * once that transaction commits.
 */
export class RebuildJob {
  readonly id = randomUUID();
  readonly app: string;
  state: RebuildState = 'running';
  private phase: RebuildStatus['phase'] = 'copying';
  /** The position the new tables hold every event of the app up to (committed). */
  private position = 0;
  /** The position read from the store up to (at most a chunk ahead of `position`): what progress is shown by. */
  private readPosition = 0;
  private lastPosition = 0;
  private events = 0;
  private rowsWritten = 0;
  private readonly startedAt = new Date();
  private finishedAt?: Date;
  private error?: string;
  private samples: ProgressSample[];
  private readonly tables: Map<string, RebuildTable>;
  /** The new tables this job made (the only ones it may drop when it fails). */
  private readonly made = new Set<string>();
  private stopping = false;
  private ticking = false;
  private timer?: NodeJS.Timeout;
  /** Settles when the job has finished, whatever the outcome. */
  finished: Promise<void> = Promise.resolve();
  /** Settles once the job knows the store's last position (or failed to learn it), so a first status shows it. */
  started: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly options: RebuildOptions) {
    this.app = options.app;
    this.samples = [{ at: this.startedAt.getTime(), events: 0, position: 0 }];
    this.tables = new Map(
      options.entities.map(({ name, definition }) => [
        name,
        { name, table: definition.table, building: sideTableName(definition.table, '__rebuild'), retired: sideTableName(definition.table, '__retired'), definition, definedAt: 0, indexed: false },
      ]),
    );
    this.log = options.log.child({ app: options.app, rebuild: this.id, entities: [...this.tables.keys()] });
  }

  get entities(): string[] {
    return [...this.tables.keys()];
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), PROGRESS_EVERY_MS);
    this.timer.unref();
    const lastPosition = this.refreshLastPosition();
    this.started = lastPosition;
    this.finished = this.run(lastPosition);
  }

  /** Asks the job to stop at its next page (the projector is shutting down). */
  stop(): void {
    this.stopping = true;
  }

  status(): RebuildStatus {
    const now = this.finishedAt?.getTime() ?? Date.now();
    const running = this.state === 'running';
    const seconds = (now - this.startedAt.getTime()) / 1000;
    const position = this.reached();
    const rates = running ? progressRates([...this.samples, { at: now, events: this.events, position }], RATE_WINDOW_MS) : undefined;
    const status: RebuildStatus = {
      v: 1,
      id: this.id,
      app: this.app,
      entities: this.entities,
      state: this.state,
      phase: this.phase,
      position,
      last_position: Math.max(this.lastPosition, position),
      events: this.events,
      rows_written: this.rowsWritten,
      events_per_second: Math.round(rates ? rates.eventsPerSecond : seconds > 0 ? this.events / seconds : 0),
      eta_seconds: !running ? (this.state === 'done' ? 0 : null) : this.lastPosition === 0 ? null : etaSeconds(position, Math.max(this.lastPosition, position), rates!.positionsPerSecond),
      started_at: this.startedAt.toISOString(),
      finished_at: this.finishedAt?.toISOString() ?? null,
    };
    if (this.error !== undefined) status.error = this.error;
    return status;
  }

  /** The position shown as reached: read from the store (and being written), or swapped in. */
  private reached(): number {
    return Math.max(this.position, this.readPosition);
  }

  private async run(lastPosition: Promise<void>): Promise<void> {
    try {
      this.log.info('rebuild started');
      await lastPosition;
      await this.prepare();
      for (let attempt = 1; ; attempt += 1) {
        // Again while a pass found much to do, so the live projector is paused only for a short last step.
        for (let pass = 1; pass <= 5; pass += 1) {
          if ((await this.copyUpToWatermark()) <= this.options.page) break;
        }
        if ([...this.tables.values()].some((table) => !table.indexed)) {
          await this.addIndexes();
          await this.copyUpToWatermark();
        }
        if (await this.options.live.exclusive(() => this.finish())) break;
        if (attempt >= SWAP_ATTEMPTS) throw new Error(`no swap in ${attempt} attempts: the old tables stayed in use or the store did not answer`);
        this.log.warn({ attempt }, 'rebuild could not finish (old tables in use, or the store did not answer); catching up and trying again');
        this.phase = 'copying';
        await sleep(250 * attempt);
      }
      this.state = 'done';
    } catch (error) {
      this.state = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      this.log.error({ err: error }, 'rebuild failed; the old tables keep serving');
      await this.dropNewTables().catch((dropError) => this.log.warn({ err: dropError }, 'could not drop the unfinished rebuild tables'));
    } finally {
      clearInterval(this.timer);
      this.phase = 'finished';
      this.finishedAt = new Date();
      const status = this.status();
      this.log.info(
        { state: status.state, position: status.position, events: status.events, rows: status.rows_written, events_per_second: status.events_per_second, seconds: (this.finishedAt.getTime() - this.startedAt.getTime()) / 1000 },
        `rebuild ${status.state}`,
      );
    }
  }

  /** Every second while running: the store's last position, a progress sample and a log line. */
  private async tick(): Promise<void> {
    if (this.ticking || this.state !== 'running') return;
    this.ticking = true;
    try {
      await this.refreshLastPosition();
      this.samples.push({ at: Date.now(), events: this.events, position: this.reached() });
      this.samples = trimSamples(this.samples, RATE_WINDOW_MS);
      const status = this.status();
      this.log.info(
        { phase: status.phase, position: status.position, last_position: status.last_position, events: status.events, events_per_second: status.events_per_second, eta_seconds: status.eta_seconds },
        'rebuild progress',
      );
    } finally {
      this.ticking = false;
    }
  }

  private async refreshLastPosition(): Promise<void> {
    const [stored, watermark] = await Promise.all([this.options.source.lastPosition().catch(() => 0), this.options.live.watermark().catch(() => 0)]);
    this.lastPosition = Math.max(this.lastPosition, stored, watermark);
  }

  /** New, empty tables with the live tables' DDL (left over ones from an earlier, unfinished rebuild are dropped first). */
  private async prepare(): Promise<void> {
    const inUse = new Set(this.options.live.entities(this.app).map((e) => e.definition.table));
    await this.withClient(async (client) => {
      for (const table of this.tables.values()) {
        for (const side of [table.building, table.retired]) {
          if (inUse.has(side)) throw new Error(`table ${side} belongs to an entity: cannot use it to rebuild ${table.table}`);
        }
        await dropReadTable(client, this.app, table.building);
        this.made.add(table.building);
        await this.ensureColumns(client, table, true);
      }
    });
  }

  /**
   * The filter and sort indexes of the new tables, made once they hold nearly every event
   * (one sorted build each, instead of an update per row while they were filled), before
   * the live projector is paused for the swap.
   */
  private async addIndexes(): Promise<void> {
    this.phase = 'indexing';
    await this.withClient(async (client) => {
      for (const table of this.tables.values()) {
        if (table.indexed) continue;
        table.indexed = true;
        await ensureReadTable(client, this.app, table.definition, table.building);
      }
    });
    this.phase = 'copying';
  }

  /** Adds the columns of fields defined since the new table was made (the live registry is never behind the rebuild). */
  private async ensureColumns(client: PoolClient, table: RebuildTable, force = false): Promise<EntityDefinition> {
    const current = this.options.live.entities(this.app).find((e) => e.name === table.name);
    if (current && current.definition.table !== table.table) throw new Error(`entity ${table.name} moved to table ${current.definition.table} during the rebuild`);
    if (current && (force || current.position !== table.definedAt)) {
      table.definition = current.definition;
      table.definedAt = current.position;
      await ensureReadTable(client, this.app, table.definition, table.building, { indexes: table.indexed });
    } else if (force) {
      await ensureReadTable(client, this.app, table.definition, table.building, { indexes: table.indexed });
    }
    return table.definition;
  }

  /**
   * Reads the store into the new tables up to the live watermark (as it was when the pass
   * began), one chunk per transaction. The positions are read as ranges of `page`, a few
   * side by side and while a chunk is written; events are applied in position order.
   * Returns the number of events read.
   */
  private async copyUpToWatermark(): Promise<number> {
    const watermark = await this.options.live.watermark();
    let nextAfter = this.position;
    const inFlight: { until: number; events: Promise<TakesEvent[]> }[] = [];
    const schedule = () => {
      while (inFlight.length < RANGE_READS && nextAfter < watermark) {
        const after = nextAfter;
        const until = Math.min(watermark, after + this.options.page);
        nextAfter = until;
        const events = this.readRange(after, until);
        events.catch(() => undefined); // awaited in order below; a failure surfaces there
        inFlight.push({ until, events });
      }
    };
    schedule();
    let read = 0;
    let buffer: TakesEvent[] = [];
    while (inFlight.length > 0) {
      if (this.stopping) throw new Error('the projector is shutting down');
      const { until, events } = inFlight.shift()!;
      const page = await events;
      schedule();
      buffer.push(...page.filter((e) => this.tables.has(e.entity)));
      this.events += page.length;
      read += page.length;
      this.readPosition = until;
      if (buffer.length >= this.options.chunk || inFlight.length === 0) {
        const batch = buffer;
        buffer = [];
        this.rowsWritten += await inTransaction(this.options.pool, (client) => this.applyEvents(client, batch));
        this.position = until;
      }
    }
    return read;
  }

  /**
   * Every event of the app in (after, until] (a range holds at most `until - after`). A
   * read that fails is tried again; one too large for a NATS message gets no answer, so
   * a range that failed is read in halves.
   */
  private async readRange(after: number, until: number, attempts = READ_ATTEMPTS, failures = 0): Promise<TakesEvent[]> {
    try {
      return await this.options.source.readAfter(after, until - after, until);
    } catch (error) {
      if (this.stopping || failures + 1 >= attempts) throw error;
      this.log.warn({ err: error, after, until, failures: failures + 1 }, 'rebuild read from the event store failed; retrying');
      await sleep(Math.min(5_000, 100 * 2 ** (failures + 1)));
      if (until - after === 1) return this.readRange(after, until, attempts, failures + 1);
      const middle = after + Math.floor((until - after) / 2);
      const first = await this.readRange(after, middle, attempts, failures + 1);
      return [...first, ...(await this.readRange(middle, until, attempts, failures + 1))];
    }
  }

  /**
   * The last step, run while the live projector is paused: the events up to its
   * watermark, then the swap, in one transaction. False when the old tables' readers
   * held them longer than the lock timeout, or the store did not answer at once
   * (nothing changed; try again later, not holding the live projector meanwhile).
   */
  private async finish(): Promise<boolean> {
    this.phase = 'swapping';
    const watermark = await this.options.live.watermark();
    const rest: TakesEvent[] = [];
    let read = 0;
    for (let after = this.position; after < watermark; after += this.options.page) {
      const events = await this.readRange(after, Math.min(watermark, after + this.options.page), FINAL_READ_ATTEMPTS).catch(() => undefined);
      if (!events) return false;
      rest.push(...events.filter((e) => this.tables.has(e.entity)));
      read += events.length;
    }
    const started = Date.now();
    const written = await inTransaction(this.options.pool, async (client) => {
      await client.query(`SET LOCAL lock_timeout = '${SWAP_LOCK_TIMEOUT}'`);
      const rows = await this.applyEvents(client, rest);
      for (const table of this.tables.values()) {
        const definition = await this.ensureColumns(client, table);
        await swapInReadTable(client, this.app, definition, table.building, table.retired);
        await ensureReadTable(client, this.app, definition);
      }
      return rows;
    }).catch((error: { code?: string }) => {
      if (error?.code === '55P03') return undefined; // lock_not_available
      throw error;
    });
    const swapped = written !== undefined;
    if (swapped) {
      this.position = Math.max(this.position, watermark);
      this.events += read;
      this.rowsWritten += written;
      this.log.info({ position: this.position, events: rest.length, swap_ms: Date.now() - started }, 'rebuild swapped in the new tables');
    }
    return swapped;
  }

  /** Applies events (in position order) to the new tables, set-based: each entity's rows loaded once and written once per chunk. */
  private async applyEvents(client: PoolClient, events: TakesEvent[]): Promise<number> {
    let written = 0;
    for (let start = 0; start < events.length; start += this.options.chunk) {
      const chunk = events.slice(start, start + this.options.chunk);
      const byEntity = new Map<string, TakesEvent[]>();
      for (const event of chunk) {
        const list = byEntity.get(event.entity);
        if (list) list.push(event);
        else byEntity.set(event.entity, [event]);
      }
      for (const [name, entityEvents] of byEntity) {
        const table = this.tables.get(name)!;
        const definition = await this.ensureColumns(client, table);
        const rows = await loadRows(client, this.app, definition, rowsToLoad(entityEvents), table.building);
        const changed = new Set<string>();
        for (const event of entityEvents) {
          const row: ProjectedRow | undefined = rows.get(event.entity_id);
          const standing = eventStanding(row, event.version);
          if (standing === 'skip') continue;
          if (standing === 'gap') {
            throw new Error(`${name} ${event.entity_id}: version ${event.version} follows ${row?.version ?? 0} (the store's events are not complete)`);
          }
          rows.set(event.entity_id, projectOne(row, event));
          changed.add(event.entity_id);
        }
        await writeRows(client, this.app, definition, [...changed].map((key) => rows.get(key)!), table.building);
        written += changed.size;
      }
    }
    return written;
  }

  private async dropNewTables(): Promise<void> {
    await this.withClient(async (client) => {
      for (const table of this.made) await dropReadTable(client, this.app, table);
    });
  }

  private async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.options.pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }
}
