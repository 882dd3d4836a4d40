import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { serveWatermark } from '@takes/bus';
import { postgresUnavailable } from '@takes/service-kit';
import { PROJECTOR_CONFIG, type ProjectorConfig } from '../config';
import { LOGGER, NATS_CONNECTION } from '../tokens';
import { Projector, READ_MODEL } from './projector';

/**
 * Answers `watermark.records` from the projector's watermark table, on every replica
 * from its start (a standby one too: it reads the same table as the active one), so
 * the gateway's read-your-writes never reads the projector's schema itself.
 */
@Injectable()
export class RecordsWatermark implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: Subscription;

  constructor(
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly projector: Projector,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = serveWatermark(this.nc, {
      subjectPrefix: this.config.subjectPrefix,
      readModel: READ_MODEL,
      position: () => this.projector.watermark(),
      knownError: postgresUnavailable,
      onError: (error, subject) => this.log.error({ err: error, subject }, 'watermark request failed'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.drain().catch(() => this.subscription?.unsubscribe());
  }
}
