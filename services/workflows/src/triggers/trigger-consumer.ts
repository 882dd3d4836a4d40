import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { READINESS_CHECKS, type ReadinessCheck } from '@takes/observability';
import { EVENT_STORE, Header, subjects, type EventStore, type TakesEvent } from '@takes/contracts';
import { consumeDurable, type DurableConsumer } from '@takes/bus';
import { inTransaction, type Database } from '@takes/db';
import { uuidv7 } from '@takes/ids';
import { firstStep, initialContext, movedValue, triggerMatches } from '@takes/workflows';
import { WORKFLOWS_CONFIG, type WorkflowsConfig } from '../config';
import { InstanceRunner } from '../instances/instance-runner';
import { addHistory, insertInstance } from '../instances/instances.table';
import { WorkflowsMetrics } from '../metrics';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';
import { WorkflowRegistry, type KnownWorkflow } from './workflow-registry';

/**
 * Starts workflow instances from record events. Every replica pulls from one shared
 * durable JetStream consumer, so each event goes to one replica at a time; an event is
 * acked only once its instances are stored. The instance's unique key (app, workflow,
 * event id) makes a redelivered event (a crash before the ack, ack wait passed) start
 * nothing twice, whichever replica gets it.
 */
@Injectable()
export class TriggerConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer?: DurableConsumer;
  private failure?: string;

  constructor(
    @Inject(WORKFLOWS_CONFIG) private readonly config: WorkflowsConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(READINESS_CHECKS) private readonly checks: Record<string, ReadinessCheck>,
    private readonly registry: WorkflowRegistry,
    private readonly runner: InstanceRunner,
    private readonly metrics: WorkflowsMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.checks.trigger_consumer = async () => {
      if (this.failure !== undefined) throw new Error(this.failure);
      if (!this.consumer) throw new Error('not consuming yet');
    };
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  private async start(): Promise<void> {
    // The event store makes the stream; until it has, wait for it.
    for (let attempt = 0; !this.consumer; attempt += 1) {
      try {
        this.consumer = await consumeDurable<TakesEvent>(this.nc, {
          stream: this.config.streamName,
          durable: this.config.durable,
          filterSubject: subjects(this.config.subjectPrefix).eventWildcard(),
          maxInFlight: this.config.maxInFlight,
          ackWaitMs: this.config.ackWaitMs,
          handler: (msg) => this.handle(msg.data, metaPositionOf(msg.headers?.get(Header.META_POSITION))),
          onError: (error, info) => this.log.warn({ err: error, ...info }, 'workflow trigger: event not handled yet'),
        });
      } catch (error) {
        if (attempt % 20 === 0) this.log.info({ err: error }, 'waiting for the events stream');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    void this.consumer.closed.then(() => (this.failure ??= 'the trigger consumer stopped'));
  }

  /** Starts the instances an event triggers (once each), then runs them. */
  async handle(event: TakesEvent, metaPosition?: number): Promise<void> {
    if (event.entity === '_meta') return;
    const candidates = (await this.registry.forEvent(event.app, event.position, event.commit_ts, metaPosition)).filter((w) => movedValue(w.definition.trigger, event) !== undefined);
    const started: string[] = [];
    for (const workflow of candidates) {
      const id = await this.start1(workflow, event);
      if (id) started.push(id);
    }
    for (const id of started) await this.runner.run(id).catch((error) => this.log.warn({ err: error, instance: id }, 'workflow instance will be resumed by the timer loop'));
  }

  private async start1(workflow: KnownWorkflow, event: TakesEvent): Promise<string | null> {
    const { definition } = workflow;
    const ref = { app: event.app, entity: event.entity, entity_id: event.entity_id };
    const previous = definition.trigger.from && event.prior_version > 0 ? (await this.store.stateAt({ ...ref, version: event.prior_version })).state : undefined;
    if (!triggerMatches(definition.trigger, event, previous?.[definition.trigger.field])) return null;
    const record = (await this.store.stateAt({ ...ref, version: event.version })).state;
    const trigger = {
      type: 'state_change',
      entity: event.entity,
      record_id: event.entity_id,
      record,
      field: definition.trigger.field,
      to: definition.trigger.to,
      event_id: event.id,
      version: event.version,
      user: { id: event.user.id, roles: event.user.roles },
    };
    const now = new Date();
    return inTransaction(this.database.pool, async (client) => {
      const id = await insertInstance(client, {
        id: uuidv7(),
        app: event.app,
        workflow_id: definition.id,
        workflow_title: definition.title,
        definition,
        definition_version: workflow.version,
        event_id: event.id,
        entity: event.entity,
        entity_id: event.entity_id,
        current_step: firstStep(definition),
        context: initialContext(definition, trigger, now),
        trigger,
      });
      if (id) {
        await addHistory(client, id, { step: null, status: 'started', by: event.user.id, detail: { event_id: event.id, version: event.version } });
        this.metrics.started.inc();
        this.log.info({ instance: id, app: event.app, workflow: definition.id, entity: event.entity, entityId: event.entity_id }, 'workflow started');
      }
      return id;
    });
  }
}

/** The Takes-Meta-Position header as a number; absent or not a position (an event relayed before it existed): undefined. */
function metaPositionOf(header: string | undefined): number | undefined {
  const position = Number(header);
  return header && Number.isInteger(position) && position >= 0 ? position : undefined;
}
