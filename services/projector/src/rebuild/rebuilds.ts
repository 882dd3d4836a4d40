import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { JetStreamManager, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { EVENT_STORE, Header, TakesError, type EventStore, type RebuildRequest, type RebuildStatus } from '@takes/contracts';
import type { Database } from '@takes/db';
import { PROJECTOR_CONFIG, type ProjectorConfig } from '../config';
import { Projector } from '../projection/projector';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';
import { RebuildJob, type RebuildSource } from './rebuild-job';

/**
 * The rebuilds of this projector: at most one running per app (which covers "one per
 * app and entity"); the latest one of each app is kept in memory for its status.
 */
@Injectable()
export class Rebuilds implements OnApplicationShutdown {
  private readonly jobs = new Map<string, RebuildJob>();
  private jsm?: Promise<JetStreamManager>;

  constructor(
    @Inject(PROJECTOR_CONFIG) private readonly config: ProjectorConfig,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly projector: Projector,
  ) {}

  /** Starts a rebuild of the app's entities (or of the one named), or returns the one already running. */
  async start(request: RebuildRequest): Promise<RebuildStatus> {
    const running = this.jobs.get(request.app);
    if (running?.state === 'running') return { ...running.status(), already_running: true };
    const live = this.projector.entities(request.app).filter((e) => !e.removed);
    const chosen = request.entity === undefined ? live : live.filter((e) => e.name === request.entity);
    if (request.entity !== undefined && chosen.length === 0) throw new TakesError('UNKNOWN_ENTITY', `entity ${request.entity} is not defined in app ${request.app}`);
    if (chosen.length === 0) throw new TakesError('NOT_FOUND', `app ${request.app} has no entities to rebuild`);
    const job = new RebuildJob({
      app: request.app,
      entities: chosen.map(({ name, definition }) => ({ name, definition })),
      source: this.source(request.app),
      live: this.projector,
      pool: this.database.pool,
      log: this.log,
      page: this.config.rebuildPage,
      chunk: this.config.rebuildChunk,
    });
    this.jobs.set(request.app, job);
    job.start();
    await job.started;
    return job.status();
  }

  /** The app's running or latest rebuild. */
  status(app: string): RebuildStatus {
    const job = this.jobs.get(app);
    if (!job) throw new TakesError('NOT_FOUND', `no rebuild of app ${app} since this projector started`);
    return job.status();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const job of this.jobs.values()) job.stop();
    await Promise.all([...this.jobs.values()].map((job) => job.finished));
  }

  /** The event store (events after a position, for the app) and the last position JetStream holds. */
  private source(app: string): RebuildSource {
    return {
      readAfter: async (after, limit, until) =>
        (await this.store.readAfter({ after_position: after, limit, app, ...(until !== undefined ? { until_position: until } : {}) })).events,
      lastPosition: async () => {
        this.jsm ??= this.nc.jetstreamManager();
        const jsm = await this.jsm;
        const info = await jsm.streams.info(this.config.streamName);
        if (info.state.last_seq === 0 || info.state.messages === 0) return 0;
        const message = await jsm.streams.getMessage(this.config.streamName, { seq: info.state.last_seq });
        return Number(message.header?.get(Header.POSITION) || 0);
      },
    };
  }
}
