import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { InfrastructureModule } from '@takes/service-kit';
import { CONFLICTS_CONFIG, type ConflictsConfig } from './config';
import { CONFLICTS_SCHEMA, conflictsMigrations } from './migrations';
import { ReviewQueueWorker } from './queue/review-queue.worker';
import { TakesHandler } from './takes/takes.handler';
import { LOGGER } from './tokens';

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
        ReviewQueueWorker,
      ],
    };
  }
}
