import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { subjects } from '@takes/contracts';
import { ensureEventsStream } from '@takes/bus';
import type { Database } from '@takes/db';
import { uuidv7 } from '@takes/ids';
import { METRICS_REGISTRY, READINESS_CHECKS, type ReadinessCheck } from '@takes/observability';
import { InfrastructureModule } from '@takes/service-kit';
import { MetaStateCache } from '@takes/metadata';
import { CommandsHandler } from './append/commands.handler';
import { GroupCommitter } from './append/group-commit';
import { EVENT_STORE_CONFIG, type EventStoreConfig } from './config';
import { EventStoreMetrics } from './metrics';
import { EVENT_STORE_SCHEMA, eventStoreMigrations } from './migrations';
import { ReadsHandler } from './reads/reads.handler';
import { Relay } from './relay/relay';
import type { EventStoreDb } from './tables/event-store.db';
import { DATABASE, EVENT_STORE_DB, LOGGER, NATS_CONNECTION } from './tokens';

/**
 * Starts the relay once the app is up; on shutdown stops it and flushes the group
 * commit, before InfrastructureModule drains NATS and closes the pool.
 */
@Injectable()
class EventStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE_CONFIG) private readonly config: EventStoreConfig,
    private readonly relay: Relay,
    private readonly committer: GroupCommitter,
    @Inject(READINESS_CHECKS) private readonly checks: Record<string, ReadinessCheck>,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.relay.enabled) return;
    this.relay.start();
    // /ready says so when the relay's publishes are refused (a stream of another prefix, JetStream full).
    this.checks.relay = async () => {
      const problem = this.relay.problem();
      if (problem) throw new Error(problem);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.committer.close();
  }
}

@Module({})
export class EventStoreModule {
  static forRoot(config: EventStoreConfig, logger: Logger): DynamicModule {
    return {
      module: EventStoreModule,
      imports: [
        InfrastructureModule.forRoot({
          name: 'event-store',
          databaseUrl: config.databaseUrl,
          natsUrl: config.natsUrl,
          schema: EVENT_STORE_SCHEMA,
          migrations: eventStoreMigrations,
          poolMax: config.pool.max,
          acquireTimeoutMs: config.pool.acquireTimeoutMs,
          statementTimeoutMs: config.pool.statementTimeoutMs,
          logger,
          // The stream the relay publishes to, made (or its settings brought up to date) at start.
          prepareNats: async (nc) =>
            ensureEventsStream(await nc.jetstreamManager(), {
              name: config.stream.name,
              subjectPrefix: config.subjectPrefix,
              maxAgeMs: config.stream.maxAgeMs,
              duplicateWindowMs: config.stream.duplicateWindowMs,
            }),
        }),
      ],
      controllers: [CommandsHandler, ReadsHandler],
      providers: [
        { provide: EVENT_STORE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: EventStoreMetrics, useFactory: (registry: Registry) => new EventStoreMetrics(registry), inject: [METRICS_REGISTRY] },
        {
          provide: EVENT_STORE_DB,
          useFactory: (database: Database<EventStoreDb>) => database.db.withSchema(EVENT_STORE_SCHEMA),
          inject: [DATABASE],
        },
        {
          provide: GroupCommitter,
          useFactory: (database: Database<EventStoreDb>, metrics: EventStoreMetrics, relay: Relay) =>
            new GroupCommitter(database.pool, {
              newId: uuidv7,
              limits: { maxEventBytes: config.maxEventBytes },
              snapshotEvery: config.snapshotEvery,
              // The leading relay publishes this process's commits without reading them back.
              committed: (rows) => relay.handOff(rows),
              metaStates: new MetaStateCache(),
            }, config.groupCommit, {
              onBatch: (size) => metrics.batchSize.observe(size),
              onError: (error, size) => {
                metrics.errors.inc({ kind: 'append_transaction' });
                logger.warn({ err: error, size }, 'append transaction failed');
              },
            }),
          inject: [DATABASE, EventStoreMetrics, Relay],
        },
        {
          provide: Relay,
          useFactory: async (db: Kysely<EventStoreDb>, nc: NatsConnection, metrics: EventStoreMetrics) =>
            new Relay({
              databaseUrl: config.databaseUrl,
              db,
              nc,
              jsm: await nc.jetstreamManager(),
              stream: config.stream.name,
              subjects: subjects(config.subjectPrefix),
              batchSize: config.relay.batchSize,
              pollMs: config.relay.pollMs,
              idlePollMaxMs: config.relay.idlePollMaxMs,
              electionMs: config.relay.electionMs,
              checkpointMs: config.relay.checkpointMs,
              log: logger,
              onPublished: (count, position, from) => {
                metrics.relayPublished.inc({ from }, count);
                metrics.relayPosition.set(position);
              },
              onLeader: (leader) => metrics.relayLeader.set(leader ? 1 : 0),
            }),
          inject: [EVENT_STORE_DB, NATS_CONNECTION, EventStoreMetrics],
        },
        EventStoreLifecycle,
      ],
    };
  }
}
