import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { connectNats } from '@takes/bus';
import { createDatabase, ensureDatabase, migrateSchema, type Database } from '@takes/db';
import { HealthController, METRICS_REGISTRY, READINESS_CHECKS, createMetricsRegistry } from '@takes/observability';
import { CONFLICTS_CONFIG, type ConflictsConfig } from './config';
import { CONFLICTS_SCHEMA, conflictsMigrations } from './migrations';
import { ReviewQueueWorker } from './queue/review-queue.worker';
import { TakesHandler } from './takes/takes.handler';
import { DATABASE, LOGGER, NATS_CONNECTION } from './tokens';

@Injectable()
class ConflictsLifecycle implements OnApplicationShutdown {
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
export class ConflictsModule {
  static forRoot(config: ConflictsConfig, logger: Logger): DynamicModule {
    return {
      module: ConflictsModule,
      controllers: [HealthController, TakesHandler],
      providers: [
        { provide: CONFLICTS_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('conflicts') },
        {
          provide: DATABASE,
          useFactory: async () => {
            await ensureDatabase(config.databaseUrl);
            const database = createDatabase({ url: config.databaseUrl, poolMax: 5, applicationName: 'takes-conflicts' });
            await migrateSchema(database.db, { url: config.databaseUrl, schema: CONFLICTS_SCHEMA, migrations: conflictsMigrations });
            return database;
          },
        },
        { provide: NATS_CONNECTION, useFactory: () => connectNats({ url: config.natsUrl, name: 'takes-conflicts' }) },
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
        ReviewQueueWorker,
        ConflictsLifecycle,
      ],
    };
  }
}
