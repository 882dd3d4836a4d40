import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { sql } from 'kysely';
import type { NatsConnection } from 'nats';
import { connectNats } from '@takes/bus';
import { createDatabase, ensureDatabase, migrateSchema, type Database, type Migrations } from '@takes/db';
import { READINESS_CHECKS } from '@takes/observability';

/** Injection tokens of the infrastructure every service shares. */
export const DATABASE = Symbol('DATABASE');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

export interface InfrastructureOptions {
  /** Service name, shown in pg_stat_activity and NATS connections. */
  name: string;
  databaseUrl: string;
  natsUrl: string;
  /** The service's own schema and its migrations, applied at start under an advisory lock. */
  schema: string;
  migrations: Migrations;
  poolMax?: number;
  statementTimeoutMs?: number;
}

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
 * The providers of a service's PostgreSQL pool (database created if missing, schema
 * migrated), its NATS connection, the readiness checks of both for /ready, and their
 * orderly close on shutdown.
 */
export function infrastructureProviders(options: InfrastructureOptions): Provider[] {
  return [
    {
      provide: DATABASE,
      useFactory: async () => {
        await ensureDatabase(options.databaseUrl);
        const database = createDatabase({
          url: options.databaseUrl,
          poolMax: options.poolMax ?? 5,
          statementTimeoutMs: options.statementTimeoutMs,
          applicationName: `takes-${options.name}`,
        });
        await migrateSchema(database.db, { url: options.databaseUrl, schema: options.schema, migrations: options.migrations });
        return database;
      },
    },
    { provide: NATS_CONNECTION, useFactory: () => connectNats({ url: options.natsUrl, name: `takes-${options.name}` }) },
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
  ];
}
