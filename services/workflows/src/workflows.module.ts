import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { EVENT_STORE } from '@takes/contracts';
import { NatsEventStore } from '@takes/bus';
import type { Database } from '@takes/db';
import { METRICS_REGISTRY } from '@takes/observability';
import { InfrastructureModule } from '@takes/service-kit';
import { WORKFLOWS_CONFIG, type WorkflowsConfig } from './config';
import { WorkflowsHandler } from './handlers/workflows.handler';
import { InstanceRunner } from './instances/instance-runner';
import { WorkflowsMetrics } from './metrics';
import { WORKFLOWS_SCHEMA, workflowsMigrations } from './migrations';
import { TimerLoop } from './timers/timer-loop';
import { TriggerConsumer } from './triggers/trigger-consumer';
import { WorkflowRegistry } from './triggers/workflow-registry';
import { DATABASE, LOGGER, NATS_CONNECTION } from './tokens';

@Module({})
export class WorkflowsModule {
  static forRoot(config: WorkflowsConfig, logger: Logger): DynamicModule {
    return {
      module: WorkflowsModule,
      imports: [
        InfrastructureModule.forRoot({
          name: 'workflows',
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          schema: WORKFLOWS_SCHEMA,
          migrations: workflowsMigrations,
          logger,
        }),
      ],
      controllers: [WorkflowsHandler],
      providers: [
        { provide: WORKFLOWS_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: EVENT_STORE,
          useFactory: (nc: NatsConnection) => new NatsEventStore(nc, { subjectPrefix: config.subjectPrefix, timeoutMs: config.storeTimeoutMs }),
          inject: [NATS_CONNECTION],
        },
        {
          provide: WorkflowsMetrics,
          useFactory: (registry: Registry, database: Database<unknown>, nc: NatsConnection) =>
            new WorkflowsMetrics(registry, {
              instancesByStatus: async () => {
                const { rows } = await database.pool.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM workflows.instances GROUP BY status');
                return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
              },
              timersDue: async () => Number((await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM workflows.timers WHERE due_at <= clock_timestamp()')).rows[0].n),
              consumerLag: async () => (await (await nc.jetstreamManager()).consumers.info(config.streamName, config.durable)).num_pending,
            }),
          inject: [METRICS_REGISTRY, DATABASE, NATS_CONNECTION],
        },
        WorkflowRegistry,
        InstanceRunner,
        TriggerConsumer,
        TimerLoop,
      ],
    };
  }
}
