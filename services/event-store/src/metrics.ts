import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The event store's own metrics, on its /metrics. */
export class EventStoreMetrics {
  readonly commands: Counter<'result'>;
  readonly appendSeconds: Histogram;
  readonly batchSize: Histogram;
  readonly relayLeader: Gauge;
  readonly relayPublished: Counter<'from'>;
  readonly relayPosition: Gauge;
  readonly errors: Counter<'kind'>;

  constructor(registry: Registry) {
    this.commands = new Counter({ name: 'takes_commands_total', help: 'Commands answered, by result (applied, merged, shelved, or an error code)', labelNames: ['result'], registers: [registry] });
    this.appendSeconds = new Histogram({ name: 'takes_append_seconds', help: 'Time from receiving a command to answering it', buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
    this.batchSize = new Histogram({ name: 'takes_group_commit_size', help: 'Commands per append transaction', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] });
    this.relayLeader = new Gauge({ name: 'takes_relay_leader', help: '1 when this process holds the relay lock', registers: [registry] });
    this.relayPublished = new Counter({
      name: 'takes_relay_published_total',
      help: 'Events the relay published to JetStream, by where it took them from: handed over by this process\'s commits, or read from the events table',
      labelNames: ['from'],
      registers: [registry],
    });
    this.relayPosition = new Gauge({ name: 'takes_relay_position', help: 'Last position the relay published', registers: [registry] });
    this.errors = new Counter({ name: 'takes_event_store_errors_total', help: 'Unexpected failures, by kind', labelNames: ['kind'], registers: [registry] });
  }
}
