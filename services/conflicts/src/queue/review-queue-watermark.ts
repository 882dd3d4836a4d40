import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import type { Logger } from 'pino';
import { ReadModel } from '@takes/contracts';
import { serveWatermark } from '@takes/bus';
import { postgresUnavailable } from '@takes/service-kit';
import { CONFLICTS_CONFIG, type ConflictsConfig } from '../config';
import { LOGGER, NATS_CONNECTION } from '../tokens';
import { ReviewQueueWorker } from './review-queue.worker';

/**
 * Answers `watermark.review_queue` on every replica from its start: the leader with the
 * position it applied, a standby with the place saved in the watermark table. The
 * gateway's read-your-writes never reads the conflicts schema itself.
 */
@Injectable()
export class ReviewQueueWatermark implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: Subscription;

  constructor(
    @Inject(CONFLICTS_CONFIG) private readonly config: ConflictsConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly worker: ReviewQueueWorker,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = serveWatermark(this.nc, {
      subjectPrefix: this.config.subjectPrefix,
      readModel: ReadModel.review_queue,
      position: () => this.worker.current(),
      knownError: postgresUnavailable,
      onError: (error, subject) => this.log.error({ err: error, subject }, 'watermark request failed'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.drain().catch(() => this.subscription?.unsubscribe());
  }
}
