import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Database } from '@takes/db';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { WebhookMetrics } from '../webhook-metrics';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';
import { attemptDelivery } from './delivery-attempt';
import { claimDue, recordAttempt, type ClaimedDelivery } from './delivery.table';

/** The subject (core NATS, no `_meta`) on which the service says it disabled an endpoint. */
export function endpointDisabledSubject(prefix: string): string {
  return `${prefix}webhooks.endpoint_disabled`;
}

/**
 * Delivers due deliveries, on every replica: claims a few at a time (see claimDue: rows
 * two replicas never share), sends each, and records the attempt, the delivery's new
 * state and the endpoint's health in one statement. At most `workers` requests run at once in this process.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private claiming = false;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: WebhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.config.pollMs);
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for due deliveries now (new ones were inserted, or one finished). */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = true;
    void this.claim()
      .catch((error) => this.log.warn({ err: error }, 'claiming deliveries failed'))
      .finally(() => {
        this.claiming = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async claim(): Promise<void> {
    const room = this.config.workers - this.running;
    if (room <= 0) return;
    const claimed = await claimDue(this.database.pool, room, this.config.perEndpointConcurrency, this.config.leaseMs);
    for (const delivery of claimed) {
      this.running += 1;
      const work = this.deliver(delivery)
        .catch((error) => this.log.error({ err: error, delivery: delivery.id }, 'delivery attempt could not be recorded; it is tried again when its lease ends'))
        .finally(() => {
          this.running -= 1;
          this.inFlight.delete(work);
          this.wake();
        });
      this.inFlight.add(work);
    }
    if (claimed.length === room) this.again = true;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const outcome = await attemptDelivery(delivery, this.config);
    // A refusal of ours (no request sent) says nothing of the endpoint's health.
    const endpoint = outcome.refused ? 'untouched' : outcome.status === 'delivered' ? 'healthy' : outcome.gone ? 'gone' : 'failing';
    const disabled = await recordAttempt(this.database.pool, delivery, { ...outcome, endpoint }, this.config.disableAfterMs);
    this.metrics.deliveries.inc({ outcome: outcome.gone ? 'gone' : outcome.status });
    if (disabled) {
      this.log.warn({ app: delivery.app, webhook_id: delivery.webhook_id, reason: disabled }, 'webhook endpoint disabled');
      this.nc.publish(endpointDisabledSubject(this.config.subjectPrefix), JSON.stringify({ v: 1, app: delivery.app, webhook_id: delivery.webhook_id, reason: disabled, at: new Date().toISOString() }));
    }
  }
}
