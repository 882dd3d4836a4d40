import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { connectNats } from '@takes/bus';
import { createDatabase, ensureDatabase, migrateSchema, type Database } from '@takes/db';
import { HealthController, METRICS_REGISTRY, READINESS_CHECKS, createMetricsRegistry } from '@takes/observability';
import { PROJECTOR_CONFIG, type ProjectorConfig } from './config';
import { ProjectorMetrics } from './health/projector-metrics';
import { PROJECTOR_SCHEMA, projectorMigrations } from './migrations';
import { Projector } from './projection/projector';
import { RebuildHandler } from './rebuild/rebuild.handler';
import { Rebuilds } from './rebuild/rebuilds';
import { DATABASE, LOGGER, NATS_CONNECTION } from './tokens';

@Injectable()
class ProjectorLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATABASE) private readonly database: Database<unknown>,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await this.database.close();
  }
}

@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      controllers: [HealthController, RebuildHandler],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('projector') },
        { provide: ProjectorMetrics, useFactory: (registry: Registry) => new ProjectorMetrics(registry), inject: [METRICS_REGISTRY] },
        {
          provide: DATABASE,
          useFactory: async () => {
            await ensureDatabase(config.databaseUrl);
            const database = createDatabase({ url: config.databaseUrl, poolMax: config.poolMax, applicationName: 'takes-projector', statementTimeoutMs: 60_000 });
            await migrateSchema(database.db, { url: config.databaseUrl, schema: PROJECTOR_SCHEMA, migrations: projectorMigrations });
            return database;
          },
        },
        { provide: NATS_CONNECTION, useFactory: () => connectNats({ url: config.natsUrl, name: 'takes-projector' }) },
        {
          provide: READINESS_CHECKS,
          useFactory: (database: Database<unknown>, nc: NatsConnection) => ({
            postgres: async () => {
              await sql`SELECT 1`.execute(database.db);
            },
            nats: async () => {
              if (nc.isClosed()) throw new Error('closed');
              await nc.flush();
            },
          }),
          inject: [DATABASE, NATS_CONNECTION],
        },
        Projector,
        Rebuilds,
        ProjectorLifecycle,
      ],
    };
  }
}
