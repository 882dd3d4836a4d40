import { READINESS_CHECKS, type ReadinessCheck } from '@takes/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { Client, type Pool } from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, ReadModel, subjects, type EventStore, type TakesEvent } from '@takes/contracts';
import { EventFollower } from '@takes/bus';
import { PROJECTOR_LEADER_LOCK, dollarQuoted, inDeferredTransaction, integerLiteral, type Database } from '@takes/db';
import type { EntityDefinition, RelationDefinition } from '@takes/metadata';
import { PROJECTOR_CONFIG, type ProjectorConfig } from '../config';
import { ProjectorMetrics } from '../health/projector-metrics';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';
import { AsyncMutex } from './async-mutex';
import { EntityRegistry } from './entity-registry';
import { projectBatch, type ReadRelation, type ReadStream } from './project-batch';

/** One read model today: the records of every app. */
export const READ_MODEL = ReadModel.records;

/**
 * Applies events to the read tables, in position order, one batch per transaction with
 * the watermark. It first reads whatever the event store holds after its watermark (so
 * events JetStream no longer keeps are not missed), then follows the durable JetStream
 * consumer. A batch that fails is retried with backoff until it applies: the projector
 * never skips or parks an event. Each batch holds a mutex while it applies, so a rebuild
 * can pause the live projection between batches for its final swap (`exclusive`).
 */
@Injectable()
export class Projector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly registry = new EntityRegistry();
  private follower?: EventFollower;
  private leader?: Client;
  private running = true;
  /** Why the follower stopped, once it has. */
  private failure?: string;
  private loop?: Promise<void>;
  private readonly subjects;
  private readonly applying = new AsyncMutex();
  private becameLeader!: () => void;
  /** Resolves once this replica is the active projector and knows its entities. */
  readonly leading = new Promise<void>((resolve) => (this.becameLeader = resolve));

  constructor(
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(READINESS_CHECKS) private readonly checks: Record<string, ReadinessCheck>,
    private readonly metrics: ProjectorMetrics,
  ) {
    this.subjects = subjects(config.subjectPrefix);
  }

  onApplicationBootstrap(): void {
    this.loop = this.run().catch((error) => {
      this.failure = (error as Error)?.message ?? String(error);
      this.log.error({ err: error }, 'projector stopped');
    });
    // /ready says so when the follower has stopped on an error (it does not restart on its own).
    this.checks.projector = async () => {
      if (this.failure !== undefined) throw new Error(`stopped: ${this.failure}`);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.follower?.stop();
    await this.loop;
    await this.leader?.end().catch(() => undefined);
  }

  private get pool(): Pool {
    return this.database.pool;
  }

  private async run(): Promise<void> {
    this.leader = new Client({ connectionString: this.config.databaseUrl, application_name: 'takes-projector-leader' });
    this.leader.on('error', () => undefined);
    await this.leader.connect();
    await this.leader.query('SELECT pg_advisory_lock($1, $2)', PROJECTOR_LEADER_LOCK);
    if (!this.running) return;
    this.metrics.leader.set(1);
    const client = await this.pool.connect();
    try {
      await this.registry.load(client);
    } finally {
      client.release();
    }
    this.becameLeader();
    this.follower = new EventFollower({
      nc: this.nc,
      stream: this.config.streamName,
      durable: this.config.durable,
      filterSubject: this.subjects.eventWildcard(),
      batchSize: this.config.batchSize,
      watermark: () => this.watermark(),
      readAfter: (after, limit) => this.readPage(after, limit),
      // Each batch holds the mutex while it applies (see `exclusive`).
      apply: (events) => this.applying.run(() => this.apply(events)),
      onRetry: (error, attempt, stage) => {
        if (stage === 'apply') this.metrics.failures.inc();
        this.log.warn({ err: error, attempt }, stage === 'apply' ? 'projection failed; retrying' : 'catch-up read failed; retrying');
      },
      onWaitingForStream: (stream) => this.log.info({ stream }, 'waiting for the event store to create the stream'),
      onCaughtUp: () => void this.watermark().then((watermark) => this.log.info({ watermark }, 'projector caught up; following JetStream')),
    });
    await this.follower.run();
  }

  /** One page of the event store after a position. */
  private async readPage(after: number, limit: number): Promise<TakesEvent[]> {
    return (await this.store.readAfter({ after_position: after, limit })).events;
  }

  async watermark(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position FROM projector.watermarks WHERE read_model = $1', [READ_MODEL]);
    return Number(rows[0]?.position ?? 0);
  }

  /** The committed entity definitions of one app (removed ones too), as the read tables were built from them. */
  entities(app: string): { name: string; definition: EntityDefinition; removed: boolean; position: number }[] {
    return this.registry.committed(app);
  }

  /**
   * Runs `fn` while no batch is being applied, and holds the next one back until `fn`
   * is done: the watermark and the read tables stay still meanwhile.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.applying.run(fn);
  }

  private async apply(events: TakesEvent[]): Promise<void> {
    const timer = this.metrics.batchSeconds.startTimer();
    const top = Math.max(...events.map((e) => e.position));
    try {
      // Committed without waiting for the disk: the read tables are derived from the
      // events and kept with the watermark, so a crash that loses the last batches loses
      // their watermark with them, and the projector applies those events again.
      // The watermark's update goes out with the rows' writes and COMMIT, in one message.
      const result = await inDeferredTransaction(this.pool, async (statements) => {
        const applied = await projectBatch(statements, events, this.registry, this.readStream, this.readRelation);
        statements.defer(`UPDATE projector.watermarks SET position = GREATEST(position, ${integerLiteral(top)}), updated_at = now() WHERE read_model = ${dollarQuoted(READ_MODEL)}`);
        return applied;
      }, { waitForDisk: false });
      this.registry.commit();
      this.metrics.events.inc({ result: 'applied' }, result.applied);
      this.metrics.events.inc({ result: 'skipped' }, result.skipped);
      this.metrics.events.inc({ result: 'gap_filled' }, result.gapsFilled);
      this.metrics.watermark.set(top);
    } catch (error) {
      this.registry.rollback();
      throw error;
    } finally {
      timer();
    }
  }

  /** A relation's definition as the event store holds it (its `_meta` item), or null when removed or never defined. */
  private readonly readRelation: ReadRelation = async (app, name) => {
    const items = await this.store.readMeta({ app });
    const item = items.find((i) => i.key === `relation:${name}` && !i.removed);
    return item ? (item.definition as unknown as RelationDefinition) : null;
  };

  /** Fills a gap from the event store: the events of one record from a version to another. */
  private readonly readStream: ReadStream = async (app, entity, entityId, fromVersion, toVersion) => {
    const page = await this.store.readStream({ app, entity, entity_id: entityId, from_version: fromVersion, limit: Math.min(1000, toVersion - fromVersion + 1) });
    return page.events.filter((e) => e.version <= toVersion);
  };
}
