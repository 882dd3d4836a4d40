import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The projector's metrics: events by result, failures (retried, never skipped), watermark. */
export class ProjectorMetrics {
  readonly events: Counter<'result'>;
  readonly failures: Counter;
  readonly watermark: Gauge;
  readonly leader: Gauge;
  readonly batchSeconds: Histogram;

  constructor(registry: Registry) {
    this.events = new Counter({ name: 'takes_projector_events_total', help: 'Events by result: applied, skipped (already applied), gap_filled', labelNames: ['result'], registers: [registry] });
    this.failures = new Counter({ name: 'takes_projector_failures_total', help: 'Batches that failed and were retried', registers: [registry] });
    this.watermark = new Gauge({ name: 'takes_projector_watermark', help: 'Last position applied to the read tables', registers: [registry] });
    this.leader = new Gauge({ name: 'takes_projector_leader', help: '1 when this replica is the active projector', registers: [registry] });
    this.batchSeconds = new Histogram({ name: 'takes_projector_batch_seconds', help: 'Time to apply one batch', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] });
  }
}
