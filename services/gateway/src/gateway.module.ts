import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { randomBytes } from 'node:crypto';
import { tokenKey } from '@takes/auth';
import type { NatsConnection } from 'nats';
import { CONFLICTS, EVENT_STORE, PROJECTOR_REBUILDS, WATERMARKS, WEBHOOKS, WORKFLOWS } from '@takes/contracts';
import { NatsConflicts, NatsEventStore, NatsProjectorRebuilds, NatsWatermarks, NatsWebhooks, NatsWorkflows, type NatsClientOptions } from '@takes/bus';
import { WebhookLogsController } from './webhooks/webhook-logs.controller';
import { WebhooksAdminController } from './webhooks/webhooks-admin.controller';
import { ActionSecretsController } from './webhooks/action-secrets.controller';
import { ActionSecrets } from './webhooks/action-secrets';
import { SyncHooks } from './webhooks/sync-hooks';
import type { Database } from '@takes/db';
import { METRICS_REGISTRY } from '@takes/observability';
import { InfrastructureModule } from '@takes/service-kit';
import { EntitiesController, PermissionsController, RelationsController, RulesController, StateMachinesController, WorkflowDefinitionsController } from './admin/meta-admin.controllers';
import { MetaAdminService } from './admin/meta-admin.service';
import { RebuildController } from './admin/rebuild.controller';
import { UsersController } from './admin/users.controller';
import { AppsController } from './apps/apps.controller';
import { AppsService } from './apps/apps.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { PasswordResetService } from './auth/password-reset.service';
import { EmailLogsController } from './email/email-logs.controller';
import { EmailProvidersController } from './email/email-providers.controller';
import { EmailSender } from './email/email-sender';
import { EmailTemplatesController } from './email/email-templates.controller';
import { InvitesController } from './invites/invites.controller';
import { InvitesService } from './invites/invites.service';
import { ChangesController } from './changes/changes.controller';
import { TakesController } from './takes/takes.controller';
import { WorkflowInstancesController, WorkflowsController } from './workflows/workflows.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { ErrorShapeFilter } from './http/error.filter';
import { MetadataService } from './metadata/metadata.service';
import { GATEWAY_SCHEMA, gatewayMigrations } from './migrations';
import { HttpMetrics } from './ops/http-metrics';
import { KeyGenerator } from './records/key-generator';
import { NestedLookupsFactory } from './records/nested-lookups';
import { RecordCommands } from './records/record-commands';
import { RecordsController } from './records/records.controller';
import { RecordAccess } from './permissions/record-access';
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

/** Seeds the platform admin and the default app (when missing) once the gateway is up. */
@Injectable()
class GatewayLifecycle implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly apps: AppsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.apps.seed(this.config.defaultApp);
  }
}

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    const clients: NatsClientOptions = { subjectPrefix: config.subjectPrefix, timeoutMs: config.storeTimeoutMs };
    return {
      module: GatewayModule,
      imports: [
        InfrastructureModule.forRoot({
          name: 'gateway',
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          schema: GATEWAY_SCHEMA,
          migrations: gatewayMigrations,
          poolMax: config.pool.max,
          acquireTimeoutMs: config.pool.acquireTimeoutMs,
        }),
      ],
      controllers: [
        AuthController,
        AppsController,
        EntitiesController,
        RelationsController,
        RulesController,
        StateMachinesController,
        PermissionsController,
        WebhooksAdminController,
        ActionSecretsController,
        WebhookLogsController,
        WorkflowDefinitionsController,
        UsersController,
        InvitesController,
        EmailProvidersController,
        EmailTemplatesController,
        EmailLogsController,
        RebuildController,
        SyncController,
        ChangesController,
        TakesController,
        WorkflowsController,
        WorkflowInstancesController,
        RecordsController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: HttpMetrics, useFactory: (registry: Registry) => new HttpMetrics(registry), inject: [METRICS_REGISTRY] },
        { provide: GATEWAY_DB, useFactory: (database: Database<GatewayDb>) => database.db.withSchema(GATEWAY_SCHEMA), inject: [DATABASE] },
        { provide: EVENT_STORE, useFactory: (nc: NatsConnection) => new NatsEventStore(nc, clients), inject: [NATS_CONNECTION] },
        { provide: CONFLICTS, useFactory: (nc: NatsConnection) => new NatsConflicts(nc, clients), inject: [NATS_CONNECTION] },
        { provide: PROJECTOR_REBUILDS, useFactory: (nc: NatsConnection) => new NatsProjectorRebuilds(nc, clients), inject: [NATS_CONNECTION] },
        { provide: WORKFLOWS, useFactory: (nc: NatsConnection) => new NatsWorkflows(nc, clients), inject: [NATS_CONNECTION] },
        { provide: WATERMARKS, useFactory: (nc: NatsConnection) => new NatsWatermarks(nc, clients), inject: [NATS_CONNECTION] },
        { provide: WEBHOOKS, useFactory: (nc: NatsConnection) => new NatsWebhooks(nc, clients), inject: [NATS_CONNECTION] },
        {
          provide: TOKEN_KEY,
          useFactory: async (db: Kysely<GatewayDb>) => tokenKey(await loadTokenSecret(db, config.jwtSecret)),
          inject: [GATEWAY_DB],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorShapeFilter },
        AppsService,
        AuthService,
        InvitesService,
        PasswordResetService,
        EmailSender,
        MetadataService,
        MetaAdminService,
        ActionSecrets,
        SyncHooks,
        KeyGenerator,
        NestedLookupsFactory,
        RecordCommands,
        RecordReader,
        RecordAccess,
        ReadYourWrites,
        GatewayLifecycle,
      ],
    };
  }
}
