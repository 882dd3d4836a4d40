import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { READINESS_CHECKS, type ReadinessCheck } from '@takes/observability';
import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, subjects, type EventStore, type TakesEvent } from '@takes/contracts';
import { EventFollower } from '@takes/bus';
import { PlaceKeeper, WEBHOOKS_INTAKE_LOCK, dollarQuoted, inDeferredTransaction, integerLiteral, type Database } from '@takes/db';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { DeliveryWorker } from '../delivery/delivery.worker';
import { WebhookMetrics } from '../webhook-metrics';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';
import { insertDeliveries } from './deliveries.table';
import { planBatch } from './delivery-plan';
import { loadEndpoints, saveEndpoint, type EndpointRow } from './endpoints.table';

const INTAKE = 'intake';
/** The watermark's update, forward only (a late save never takes it back): sent with a delivery's COMMIT, or alone. */
function watermarkUpdate(position: number): string {
  return `UPDATE webhooks.watermarks SET position = ${integerLiteral(position)} WHERE read_model = ${dollarQuoted(INTAKE)} AND position < ${integerLiteral(position)}`;
}

/**
 * Turns events into deliveries, in position order: one replica at a time (an advisory
 * lock on a connection of its own; another replica takes over when it dies) follows the
 * event stream (the store after its watermark, then JetStream), folds webhook
 * definitions from `_meta` events, and inserts one delivery per (event, matching webhook)
 * in the same transaction as its watermark. The (event, webhook) pair is unique, so an
 * event seen twice adds nothing. Delivering is every replica's work (DeliveryWorker).
 */
@Injectable()
export class IntakeWorker implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private follower?: EventFollower;
  private leader?: Client;
  private failure?: string;
  private stopped = false;
  private endpoints = new Map<string, EndpointRow>();
  /** Set once this replica leads: the intake's place in the event stream. */
  private place?: PlaceKeeper;

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(READINESS_CHECKS) private readonly checks: Record<string, ReadinessCheck>,
    private readonly delivery: DeliveryWorker,
    private readonly metrics: WebhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.run().catch((error) => {
      this.failure = (error as Error)?.message ?? String(error);
      this.log.error({ err: error }, 'webhook intake stopped');
    });
    this.checks.webhook_intake = async () => {
      if (this.failure !== undefined) throw new Error(`stopped: ${this.failure}`);
    };
  }

  /** Stops reading, then saves the watermark not saved yet, before the database pool closes (in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.follower?.stop();
    await this.place?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leader?.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    this.leader = new Client({ connectionString: this.config.databaseUrl, application_name: 'takes-webhooks-intake' });
    this.leader.on('error', () => undefined);
    await this.leader.connect();
    await this.leader.query('SELECT pg_advisory_lock($1, $2)', WEBHOOKS_INTAKE_LOCK);
    if (this.stopped) return;
    this.endpoints = await loadEndpoints(this.database.pool);
    const start = await this.watermark();
    // Stopped meanwhile: nothing to keep, and no follower to start.
    if (this.stopped) return;
    const place = new PlaceKeeper(start, {
      saveAfterMs: this.config.watermarkSaveMs,
      save: async (position) => {
        await this.database.pool.query(watermarkUpdate(position));
      },
      name: 'webhook intake',
      log: this.log,
    });
    this.place = place;
    this.metrics.intakePosition.set(place.applied);
    this.log.info({ position: place.applied, endpoints: this.endpoints.size }, 'webhook intake leading');
    this.follower = new EventFollower({
      nc: this.nc,
      stream: this.config.streamName,
      durable: this.config.durable,
      filterSubject: subjects(this.config.subjectPrefix).eventWildcard(),
      batchSize: 500,
      watermark: () => this.watermark(),
      readAfter: async (position, limit) => (await this.store.readAfter({ after_position: position, limit })).events,
      apply: (events) => this.apply(events),
      onRetry: (error, attempt) => this.log.warn({ err: error, attempt }, 'webhook intake batch failed; retrying'),
      onWaitingForStream: (stream) => this.log.info({ stream }, 'waiting for the event store to create the stream'),
    });
    await this.follower.run();
  }

  async watermark(): Promise<number> {
    const { rows } = await this.database.pool.query<{ position: string }>('SELECT position FROM webhooks.watermarks WHERE read_model = $1', [INTAKE]);
    return Number(rows[0]?.position ?? 0);
  }

  private async apply(batch: TakesEvent[]): Promise<void> {
    const place = this.place!;
    const events = batch.filter((e) => e.position > place.applied);
    if (events.length === 0) return;
    const plan = await planBatch(events, this.endpoints, (event, version) => this.stateAt(event, version));
    for (const problem of plan.conditionErrors) this.log.warn(problem, 'webhook condition could not be evaluated; not delivered');
    const last = events[events.length - 1].position;
    // A batch that makes no delivery and changes no endpoint (most of them: events of
    // entities no webhook watches) writes nothing now: its place is saved with the next
    // delivery, within watermarkSaveMs, or on stop. Losing it in a crash only means
    // reading again events that make nothing.
    if (plan.deliveries.length === 0 && plan.endpoints.size === 0) {
      place.moved(last);
      this.metrics.intakePosition.set(last);
      return;
    }
    // The watermark goes with COMMIT in one message.
    const added = await inDeferredTransaction(this.database.pool, async (statements) => {
      const client = await statements.connection();
      for (const row of plan.endpoints.values()) await saveEndpoint(client, row);
      const count = await insertDeliveries(client, plan.deliveries);
      statements.defer(watermarkUpdate(last));
      return count;
    });
    for (const [key, row] of plan.endpoints) this.endpoints.set(key, row);
    place.savedWith(last);
    this.metrics.intakePosition.set(last);
    if (added > 0) this.delivery.wake();
  }

  private async stateAt(event: TakesEvent, version: number): Promise<Record<string, unknown> | null> {
    const view = await this.store.stateAt({ app: event.app, entity: event.entity, entity_id: event.entity_id, version });
    return view.state;
  }
}
