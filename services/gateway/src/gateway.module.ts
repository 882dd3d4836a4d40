import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { sql, type Kysely } from 'kysely';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { randomBytes } from 'node:crypto';
import { tokenKey } from '@takes/auth';
import { CONFLICTS, EVENT_STORE, PROJECTOR_REBUILDS, WATERMARKS } from '@takes/contracts';
import { NatsConflicts, NatsEventStore, NatsProjectorRebuilds, NatsWatermarks, connectNats, type NatsClientOptions } from '@takes/bus';
import { createDatabase, ensureDatabase, migrateSchema, type Database } from '@takes/db';
import { HealthController, METRICS_REGISTRY, READINESS_CHECKS, createMetricsRegistry } from '@takes/observability';
import { EntitiesController, RelationsController } from './admin/entities.controller';
import { MetaAdminService } from './admin/meta-admin.service';
import { RebuildController } from './admin/rebuild.controller';
import { UsersController } from './admin/users.controller';
import { AppsController } from './apps/apps.controller';
import { AppsService } from './apps/apps.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { ChangesController } from './changes/changes.controller';
import { TakesController } from './takes/takes.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { ErrorShapeFilter } from './http/error.filter';
import { MetadataService } from './metadata/metadata.service';
import { GATEWAY_SCHEMA, gatewayMigrations } from './migrations';
import { HttpMetrics } from './ops/http-metrics';
import { KeyGenerator } from './records/key-generator';
import { NestedLookupsFactory } from './records/nested-lookups';
import { RecordCommands } from './records/record-commands';
import { RecordsController } from './records/records.controller';
import { ReadYourWrites } from './reads/read-your-writes';
import { RecordReader } from './reads/record-reader';
import { SyncController } from './sync/sync.controller';
import type { GatewayDb } from './tables/gateway.db';
import { DATABASE, GATEWAY_DB, LOGGER, NATS_CONNECTION, TOKEN_KEY } from './tokens';

/** The token signing secret: the configured one, or one made on first start and shared by replicas through the database. */
async function loadTokenSecret(db: Kysely<GatewayDb>, configured: string | null): Promise<string> {
  if (configured) return configured;
  await db.insertInto('settings').values({ key: 'jwt_secret', value: randomBytes(48).toString('base64url') }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'jwt_secret').executeTakeFirstOrThrow();
  return row.value;
}

@Injectable()
class GatewayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly apps: AppsService,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATABASE) private readonly database: Database<GatewayDb>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.apps.seed(this.config.defaultApp);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await this.database.close();
  }
}

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    const clients: NatsClientOptions = { subjectPrefix: config.subjectPrefix, timeoutMs: config.storeTimeoutMs };
    return {
      module: GatewayModule,
      controllers: [
        HealthController,
        AuthController,
        AppsController,
        EntitiesController,
        RelationsController,
        UsersController,
        RebuildController,
        SyncController,
        ChangesController,
        TakesController,
        RecordsController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('gateway') },
        { provide: HttpMetrics, useFactory: (registry: Registry) => new HttpMetrics(registry), inject: [METRICS_REGISTRY] },
        {
          provide: DATABASE,
          useFactory: async () => {
            await ensureDatabase(config.databaseUrl);
            const database = createDatabase<GatewayDb>({
              url: config.databaseUrl,
              poolMax: config.pool.max,
              acquireTimeoutMs: config.pool.acquireTimeoutMs,
              applicationName: 'takes-gateway',
            });
            await migrateSchema(database.db, { url: config.databaseUrl, schema: GATEWAY_SCHEMA, migrations: gatewayMigrations });
            return database;
          },
        },
        { provide: GATEWAY_DB, useFactory: (database: Database<GatewayDb>) => database.db.withSchema(GATEWAY_SCHEMA), inject: [DATABASE] },
        { provide: NATS_CONNECTION, useFactory: () => connectNats({ url: config.natsUrl, name: 'takes-gateway' }) },
        { provide: EVENT_STORE, useFactory: (nc: NatsConnection) => new NatsEventStore(nc, clients), inject: [NATS_CONNECTION] },
        { provide: CONFLICTS, useFactory: (nc: NatsConnection) => new NatsConflicts(nc, clients), inject: [NATS_CONNECTION] },
        { provide: PROJECTOR_REBUILDS, useFactory: (nc: NatsConnection) => new NatsProjectorRebuilds(nc, clients), inject: [NATS_CONNECTION] },
        { provide: WATERMARKS, useFactory: (nc: NatsConnection) => new NatsWatermarks(nc, clients), inject: [NATS_CONNECTION] },
        {
          provide: TOKEN_KEY,
          useFactory: async (db: Kysely<GatewayDb>) => tokenKey(await loadTokenSecret(db, config.jwtSecret)),
          inject: [GATEWAY_DB],
        },
        {
          provide: READINESS_CHECKS,
          useFactory: (db: Kysely<GatewayDb>, nc: NatsConnection) => ({
            postgres: async () => {
              await sql`SELECT 1`.execute(db);
            },
            nats: async () => {
              if (nc.isClosed()) throw new Error('closed');
              await nc.flush();
            },
          }),
          inject: [GATEWAY_DB, NATS_CONNECTION],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorShapeFilter },
        AppsService,
        AuthService,
        MetadataService,
        MetaAdminService,
        KeyGenerator,
        NestedLookupsFactory,
        RecordCommands,
        RecordReader,
        ReadYourWrites,
        GatewayLifecycle,
      ],
    };
  }
}
