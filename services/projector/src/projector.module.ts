import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { EVENT_STORE } from '@takes/contracts';
import { NatsEventStore } from '@takes/bus';
import { METRICS_REGISTRY } from '@takes/observability';
import { InfrastructureModule } from '@takes/service-kit';
import { PROJECTOR_CONFIG, type ProjectorConfig } from './config';
import { ProjectorMetrics } from './health/projector-metrics';
import { PROJECTOR_SCHEMA, projectorMigrations } from './migrations';
import { Projector } from './projection/projector';
import { RecordsWatermark } from './projection/records-watermark';
import { RebuildHandler } from './rebuild/rebuild.handler';
import { Rebuilds } from './rebuild/rebuilds';
import { LOGGER, NATS_CONNECTION } from './tokens';

@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        InfrastructureModule.forRoot({
          name: 'projector',
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          schema: PROJECTOR_SCHEMA,
          migrations: projectorMigrations,
          poolMax: config.poolMax,
          statementTimeoutMs: 60_000,
        }),
      ],
      controllers: [RebuildHandler],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: ProjectorMetrics, useFactory: (registry: Registry) => new ProjectorMetrics(registry), inject: [METRICS_REGISTRY] },
        {
          provide: EVENT_STORE,
          useFactory: (nc: NatsConnection) => new NatsEventStore(nc, { subjectPrefix: config.subjectPrefix, timeoutMs: config.storeTimeoutMs }),
          inject: [NATS_CONNECTION],
        },
        Projector,
        RecordsWatermark,
        Rebuilds,
      ],
    };
  }
}
