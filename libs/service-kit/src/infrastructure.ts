import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'kysely';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { connectNats } from '@takes/bus';
import { createDatabase, ensureDatabase, migrateSchema, type Database, type Migrations } from '@takes/db';
import { HealthController, METRICS_REGISTRY, READINESS_CHECKS, createMetricsRegistry } from '@takes/observability';

/** Injection tokens of the infrastructure every service shares. */
export const DATABASE = Symbol('DATABASE');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

export interface InfrastructureOptions {
  /** Service name, shown in pg_stat_activity and NATS connections, and the `service` label of its metrics. */
  name: string;
  databaseUrl: string;
  natsUrl: string;
  /** The service's own schema and its migrations, applied at start under an advisory lock. */
  schema: string;
  migrations: Migrations;
  /** Connections in the pool (5 unless given). */
  poolMax?: number;
  /** How long a query waits for a free connection before it is refused (ms). */
  acquireTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** When given, the migrations applied at start are logged on it. */
  logger?: Logger;
  /**
   * Runs once on the NATS connection as soon as it is open, before anything that injects
   * NATS_CONNECTION is made (the event store makes its JetStream stream here).
   */
  prepareNats?(nc: NatsConnection): Promise<unknown>;
}

/** Closes the NATS connection (draining it) and the pool when the application shuts down. */
@Injectable()
class InfrastructureLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATABASE) private readonly database: Database<unknown>,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await this.database.close();
  }
}

/**
 * What every Takes service stands on: its PostgreSQL pool (DATABASE; the database made
 * if missing, the service's schema migrated), its NATS connection (NATS_CONNECTION), its
 * metrics registry (METRICS_REGISTRY) and /health, /ready (PostgreSQL and NATS answer)
 * and /metrics on its HTTP port.
 *
 * A service module imports it (`imports: [InfrastructureModule.forRoot(...)]`) and
 * injects the three tokens. Being imported, it shuts down after the service module: the
 * service's own shutdown hooks (a worker stopping, a relay letting go of its lock, a
 * group commit flushing) still have their connections; then NATS is drained and the
 * pool closed.
 */
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: InfrastructureModule,
      controllers: [HealthController],
      providers: [
        {
          provide: DATABASE,
          useFactory: async () => {
            await ensureDatabase(options.databaseUrl);
            const database = createDatabase({
              url: options.databaseUrl,
              poolMax: options.poolMax ?? 5,
              acquireTimeoutMs: options.acquireTimeoutMs,
              statementTimeoutMs: options.statementTimeoutMs,
              applicationName: `takes-${options.name}`,
            });
            const ran = await migrateSchema(database.db, { url: options.databaseUrl, schema: options.schema, migrations: options.migrations });
            if (ran.length > 0) options.logger?.info({ migrations: ran }, `migrated ${options.schema}`);
            return database;
          },
        },
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const nc = await connectNats({ url: options.natsUrl, name: `takes-${options.name}` });
            await options.prepareNats?.(nc);
            return nc;
          },
        },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(options.name) },
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
        InfrastructureLifecycle,
      ],
      exports: [DATABASE, NATS_CONNECTION, METRICS_REGISTRY, READINESS_CHECKS],
    };
  }
}
