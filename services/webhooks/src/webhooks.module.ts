import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { EVENT_STORE } from '@takes/contracts';
import { NatsEventStore } from '@takes/bus';
import { InfrastructureModule } from '@takes/service-kit';
import { WebhooksHandler } from './admin/webhooks.handler';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './config';
import { DeliveryWorker } from './delivery/delivery.worker';
import { IntakeWorker } from './intake/intake.worker';
import { WEBHOOKS_SCHEMA, webhooksMigrations } from './migrations';
import { LOGGER, NATS_CONNECTION } from './tokens';
import { WebhookMetrics } from './webhook-metrics';

@Module({})
export class WebhooksModule {
  static forRoot(config: WebhooksConfig, logger: Logger): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [
        InfrastructureModule.forRoot({
          name: 'webhooks',
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          schema: WEBHOOKS_SCHEMA,
          migrations: webhooksMigrations,
          poolMax: 10,
          logger,
        }),
      ],
      controllers: [WebhooksHandler],
      providers: [
        { provide: WEBHOOKS_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: EVENT_STORE,
          useFactory: (nc: NatsConnection) => new NatsEventStore(nc, { subjectPrefix: config.subjectPrefix, timeoutMs: config.storeTimeoutMs }),
          inject: [NATS_CONNECTION],
        },
        WebhookMetrics,
        DeliveryWorker,
        IntakeWorker,
      ],
    };
  }
}
