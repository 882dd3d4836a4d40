import { READINESS_CHECKS, type ReadinessCheck } from '@takes/observability';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, subjects, type EventStore, type TakesEvent } from '@takes/contracts';
import { EventFollower } from '@takes/bus';
import { contestParties, type ContestParties } from '@takes/merge';
import { PlaceKeeper, REVIEW_QUEUE_LEADER_LOCK, inDeferredTransaction, type Database } from '@takes/db';
import { CONFLICTS_CONFIG, type ConflictsConfig } from '../config';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';
import { REVIEW_QUEUE, advanceWatermarkSql, applyToReviewQueue, touchesReviewQueue } from './review-queue.projection';

/**
 * Keeps the review queue (a projection in the conflicts schema) current, in position
 * order, on one replica at a time (an advisory lock on a connection of its own).
 * Most events change nothing in the queue: a batch of only those writes nothing, and the
 * place it reached is saved within watermarkSaveMs (or on stop); after a crash those
 * events are read again and change nothing again. A batch that changes the queue saves
 * the place with its rows, in one transaction.
 */
@Injectable()
export class ReviewQueueWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private follower?: EventFollower;
  private leader?: Client;
  /** Why the follower stopped, once it has. */
  private failure?: string;
  private loop?: Promise<void>;
  private stopped = false;
  /** Set once this replica leads: the queue's place in the event stream. */
  private place?: PlaceKeeper;

  constructor(
    @Inject(CONFLICTS_CONFIG) private readonly config: ConflictsConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(READINESS_CHECKS) private readonly checks: Record<string, ReadinessCheck>,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run().catch((error) => {
      this.failure = (error as Error)?.message ?? String(error);
      this.log.error({ err: error }, 'review queue stopped');
    });
    // /ready says so when the follower has stopped on an error (it does not restart on its own).
    this.checks.review_queue = async () => {
      if (this.failure !== undefined) throw new Error(`stopped: ${this.failure}`);
    };
  }

  /** Stops reading, then saves the place not saved yet, before the database pool closes (in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.follower?.stop();
    await this.place?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leader?.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    this.leader = new Client({ connectionString: this.config.databaseUrl, application_name: 'takes-conflicts-leader' });
    this.leader.on('error', () => undefined);
    await this.leader.connect();
    await this.leader.query('SELECT pg_advisory_lock($1, $2)', REVIEW_QUEUE_LEADER_LOCK);
    if (this.stopped) return;
    const start = await this.watermark();
    // Stopped meanwhile: nothing to keep, and no follower to start.
    if (this.stopped) return;
    this.place = new PlaceKeeper(start, {
      saveAfterMs: this.config.watermarkSaveMs,
      save: (position) => inDeferredTransaction(this.database.pool, async (statements) => statements.defer(advanceWatermarkSql(position)), { waitForDisk: false }),
      name: 'review queue',
      log: this.log,
    });
    this.follower = new EventFollower({
      nc: this.nc,
      stream: this.config.streamName,
      durable: this.config.durable,
      filterSubject: subjects(this.config.subjectPrefix).eventWildcard(),
      batchSize: 500,
      watermark: () => this.watermark(),
      readAfter: async (position, limit) => (await this.store.readAfter({ after_position: position, limit })).events,
      apply: (events) => this.apply(events),
      onRetry: (error, attempt) => this.log.warn({ err: error, attempt }, 'review queue batch failed; retrying'),
      onWaitingForStream: (stream) => this.log.info({ stream }, 'waiting for the event store to create the stream'),
    });
    await this.follower.run();
  }

  /** The place saved in PostgreSQL. */
  async watermark(): Promise<number> {
    const { rows } = await this.database.pool.query<{ position: string }>('SELECT position FROM conflicts.watermarks WHERE read_model = $1', [REVIEW_QUEUE]);
    return Number(rows[0]?.position ?? 0);
  }

  /**
   * The position up to which the review queue is current: the leader knows it (saved or
   * not); a standby answers the place saved, which trails it by about watermarkSaveMs
   * (longer only while PostgreSQL refuses the save).
   */
  async current(): Promise<number> {
    return this.place?.applied ?? this.watermark();
  }

  private async apply(events: TakesEvent[]): Promise<void> {
    const top = Math.max(...events.map((e) => e.position));
    const queued = events.filter(touchesReviewQueue);
    if (queued.length === 0) {
      this.place!.moved(top);
      return;
    }
    // The other side of each contest (the edits it was merged against) is read before the transaction.
    const parties = new Map<TakesEvent, ContestParties[]>();
    for (const event of queued) if (event.contested.length > 0) parties.set(event, await this.partiesOf(event));
    // Committed without waiting for the disk: the queue is derived from the events and
    // kept with its watermark, so a crash that loses the last batches loses their
    // watermark with them, and the follower applies those events again from the store.
    await inDeferredTransaction(this.database.pool, async (statements) => {
      const client = await statements.connection();
      for (const event of queued) await applyToReviewQueue(client, event, parties.get(event));
      statements.defer(advanceWatermarkSql(top));
    }, { waitForDisk: false });
    this.place!.savedWith(top);
  }

  /** Who took part in each pointer the event contests: it, and the events between its base and it. */
  private async partiesOf(event: TakesEvent): Promise<ContestParties[]> {
    const between: TakesEvent[] = [];
    for (let from: number | null = event.base_version + 1; from !== null && from < event.version; ) {
      const page = await this.store.readStream({ app: event.app, entity: event.entity, entity_id: event.entity_id, from_version: from, limit: Math.min(1000, event.version - from) });
      between.push(...page.events);
      from = page.next_version;
    }
    return contestParties(event, between);
  }
}
