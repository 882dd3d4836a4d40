import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { subjects } from '@takes/contracts';
import { connectNats, ensureEventsStream } from '@takes/bus';
import { createDatabase, ensureDatabase, migrateSchema, type Database } from '@takes/db';
import { uuidv7 } from '@takes/ids';
import { HealthController, METRICS_REGISTRY, READINESS_CHECKS, createMetricsRegistry } from '@takes/observability';
import { CommandsHandler } from './append/commands.handler';
import { GroupCommitter } from './append/group-commit';
import { EVENT_STORE_CONFIG, type EventStoreConfig } from './config';
import { EventStoreMetrics } from './metrics';
import { EVENT_STORE_SCHEMA, eventStoreMigrations } from './migrations';
import { ReadsHandler } from './reads/reads.handler';
import { Relay } from './relay/relay';
import type { EventStoreDb } from './tables/event-store.db';
import { DATABASE, EVENT_STORE_DB, LOGGER, NATS_CONNECTION } from './tokens';

/** Starts the relay once the app is up and closes everything in order on shutdown. */
@Injectable()
class EventStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE_CONFIG) private readonly config: EventStoreConfig,
    private readonly relay: Relay,
    private readonly committer: GroupCommitter,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATABASE) private readonly database: Database<EventStoreDb>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.relay.enabled) this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.committer.close();
    await this.nc.drain().catch(() => undefined);
    await this.database.close();
  }
}

@Module({})
export class EventStoreModule {
  static forRoot(config: EventStoreConfig, logger: Logger): DynamicModule {
    return {
      module: EventStoreModule,
      controllers: [CommandsHandler, ReadsHandler, HealthController],
      providers: [
        { provide: EVENT_STORE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry('event-store') },
        { provide: EventStoreMetrics, useFactory: (registry: Registry) => new EventStoreMetrics(registry), inject: [METRICS_REGISTRY] },
        {
          provide: DATABASE,
          useFactory: async () => {
            await ensureDatabase(config.databaseUrl);
            const database = createDatabase<EventStoreDb>({
              url: config.databaseUrl,
              poolMax: config.pool.max,
              acquireTimeoutMs: config.pool.acquireTimeoutMs,
              statementTimeoutMs: config.pool.statementTimeoutMs,
              applicationName: 'takes-event-store',
            });
            const ran = await migrateSchema(database.db, { url: config.databaseUrl, schema: EVENT_STORE_SCHEMA, migrations: eventStoreMigrations });
            if (ran.length > 0) logger.info({ migrations: ran }, 'migrated event_store');
            return database;
          },
        },
        {
          provide: EVENT_STORE_DB,
          useFactory: (database: Database<EventStoreDb>) => database.db.withSchema(EVENT_STORE_SCHEMA),
          inject: [DATABASE],
        },
        {
          provide: NATS_CONNECTION,
          useFactory: async () => {
            const nc = await connectNats({ url: config.natsUrl, name: 'takes-event-store' });
            const jsm = await nc.jetstreamManager();
            await ensureEventsStream(jsm, {
              name: config.stream.name,
              subjectPrefix: config.subjectPrefix,
              maxAgeMs: config.stream.maxAgeMs,
              duplicateWindowMs: config.stream.duplicateWindowMs,
            });
            return nc;
          },
        },
        {
          provide: GroupCommitter,
          useFactory: (database: Database<EventStoreDb>, metrics: EventStoreMetrics) =>
            new GroupCommitter(database.pool, { newId: uuidv7, limits: { maxEventBytes: config.maxEventBytes }, snapshotEvery: config.snapshotEvery }, config.groupCommit, {
              onBatch: (size) => metrics.batchSize.observe(size),
              onError: (error, size) => {
                metrics.errors.inc({ kind: 'append_transaction' });
                logger.warn({ err: error, size }, 'append transaction failed');
              },
            }),
          inject: [DATABASE, EventStoreMetrics],
        },
        {
          provide: Relay,
          useFactory: async (db: Kysely<EventStoreDb>, nc: NatsConnection, metrics: EventStoreMetrics) =>
            new Relay({
              databaseUrl: config.databaseUrl,
              db,
              js: nc.jetstream(),
              jsm: await nc.jetstreamManager(),
              stream: config.stream.name,
              subjects: subjects(config.subjectPrefix),
              batchSize: config.relay.batchSize,
              pollMs: config.relay.pollMs,
              electionMs: config.relay.electionMs,
              checkpointMs: config.relay.checkpointMs,
              log: logger,
              onPublished: (count, position) => {
                metrics.relayPublished.inc(count);
                metrics.relayPosition.set(position);
              },
              onLeader: (leader) => metrics.relayLeader.set(leader ? 1 : 0),
            }),
          inject: [EVENT_STORE_DB, NATS_CONNECTION, EventStoreMetrics],
        },
        {
          provide: READINESS_CHECKS,
          useFactory: (db: Kysely<EventStoreDb>, nc: NatsConnection) => ({
            postgres: async () => {
              await sql`SELECT 1`.execute(db);
            },
            nats: async () => {
              if (nc.isClosed()) throw new Error('closed');
              await nc.flush();
            },
          }),
          inject: [EVENT_STORE_DB, NATS_CONNECTION],
        },
        EventStoreLifecycle,
      ],
    };
  }
}
