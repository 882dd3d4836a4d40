import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@takes/observability';
import type { Database } from '@takes/db';
import { DATABASE } from './tokens';

/** The webhooks service's figures on /metrics: attempts by outcome, open deliveries, endpoints by state, the intake's place. */
@Injectable()
export class WebhookMetrics {
  readonly deliveries: Counter<'outcome'>;
  readonly intakePosition: Gauge;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, @Inject(DATABASE) database: Database<unknown>) {
    this.deliveries = new Counter({ name: 'takes_webhook_attempts_total', help: 'Delivery attempts by outcome (delivered, retrying, failed, gone)', labelNames: ['outcome'], registers: [registry] });
    this.intakePosition = new Gauge({ name: 'takes_webhook_intake_position', help: 'The store position up to which the intake has made every delivery (0 on a replica that is not leading)', registers: [registry] });
    new Gauge({
      name: 'takes_webhook_queue_depth',
      help: 'Open deliveries (pending or retrying)',
      registers: [registry],
      async collect() {
        const { rows } = await database.pool.query<{ n: string }>("SELECT count(*) AS n FROM webhooks.deliveries WHERE status IN ('pending', 'retrying')");
        this.set(Number(rows[0].n));
      },
    });
    new Gauge({
      name: 'takes_webhook_endpoints',
      help: 'Endpoints by state (healthy, failing, disabled)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const { rows } = await database.pool.query<{ state: string; n: string }>(
          `SELECT CASE WHEN disabled_at IS NOT NULL THEN 'disabled' WHEN failing_since IS NOT NULL THEN 'failing' ELSE 'healthy' END AS state, count(*) AS n
           FROM webhooks.endpoints WHERE NOT removed GROUP BY 1`,
        );
        this.reset();
        for (const state of ['healthy', 'failing', 'disabled']) this.set({ state }, Number(rows.find((r) => r.state === state)?.n ?? 0));
      },
    });
  }
}
