import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The workflows service's own metrics; the gauges are read from the database when scraped. */
export class WorkflowsMetrics {
  readonly stepSeconds: Histogram<'type'>;
  readonly steps: Counter<'type' | 'result'>;
  readonly started: Counter;

  constructor(
    registry: Registry,
    reads: {
      instancesByStatus(): Promise<Record<string, number>>;
      timersDue(): Promise<number>;
      consumerLag(): Promise<number | null>;
    },
  ) {
    this.stepSeconds = new Histogram({
      name: 'takes_workflow_step_seconds',
      help: 'Time a workflow step took to run, by step type (an action step includes its command)',
      labelNames: ['type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.steps = new Counter({ name: 'takes_workflow_steps_total', help: 'Workflow steps taken, by type and result', labelNames: ['type', 'result'], registers: [registry] });
    this.started = new Counter({ name: 'takes_workflow_instances_started_total', help: 'Workflow instances started by this replica', registers: [registry] });
    new Gauge({
      name: 'takes_workflow_instances',
      help: 'Workflow instances by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await reads.instancesByStatus().catch(() => ({}) as Record<string, number>);
        for (const status of ['running', 'waiting', 'completed', 'failed']) this.set({ status }, counts[status] ?? 0);
      },
    });
    new Gauge({
      name: 'takes_workflow_timers_due',
      help: 'Approval timers past their deadline and not yet fired',
      registers: [registry],
      async collect() {
        this.set(await reads.timersDue().catch(() => 0));
      },
    });
    new Gauge({
      name: 'takes_workflow_consumer_lag',
      help: 'Events the shared durable consumer has not yet delivered (num_pending)',
      registers: [registry],
      async collect() {
        const lag = await reads.consumerLag().catch(() => null);
        if (lag !== null) this.set(lag);
      },
    });
  }
}
