import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@takes/observability';
import { InfrastructureModule } from '@takes/service-kit';
import { PROJECTOR_CONFIG, type ProjectorConfig } from './config';
import { ProjectorMetrics } from './health/projector-metrics';
import { PROJECTOR_SCHEMA, projectorMigrations } from './migrations';
import { Projector } from './projection/projector';
import { RebuildHandler } from './rebuild/rebuild.handler';
import { Rebuilds } from './rebuild/rebuilds';
import { LOGGER } from './tokens';

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
        Projector,
        Rebuilds,
      ],
    };
  }
}
