import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { EVENT_STORE } from '@takes/contracts';
import { NatsEventStore } from '@takes/bus';
import { InfrastructureModule } from '@takes/service-kit';
import { CONFLICTS_CONFIG, type ConflictsConfig } from './config';
import { CONFLICTS_SCHEMA, conflictsMigrations } from './migrations';
import { ReviewQueueWatermark } from './queue/review-queue-watermark';
import { ReviewQueueWorker } from './queue/review-queue.worker';
import { TakesHandler } from './takes/takes.handler';
import { LOGGER, NATS_CONNECTION } from './tokens';

@Module({})
export class ConflictsModule {
  static forRoot(config: ConflictsConfig, logger: Logger): DynamicModule {
    return {
      module: ConflictsModule,
      imports: [
        InfrastructureModule.forRoot({
          name: 'conflicts',
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          schema: CONFLICTS_SCHEMA,
          migrations: conflictsMigrations,
        }),
      ],
      controllers: [TakesHandler],
      providers: [
        { provide: CONFLICTS_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: EVENT_STORE,
          useFactory: (nc: NatsConnection) => new NatsEventStore(nc, { subjectPrefix: config.subjectPrefix, timeoutMs: config.storeTimeoutMs }),
          inject: [NATS_CONNECTION],
        },
        ReviewQueueWorker,
        ReviewQueueWatermark,
      ],
    };
  }
}
