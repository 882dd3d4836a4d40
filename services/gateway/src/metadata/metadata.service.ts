import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DeliverPolicy, type ConsumerMessages, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { EVENT_STORE, TakesError, subjects, type EventStore, type MetaItemView, type TakesEvent } from '@takes/contracts';
import { newTraceparent } from '@takes/bus';
import { ROUTE_WORDS, applyMetaChange, emptyMetadata, type AppMetadata, type EntityDefinition, type MetaKind, type MetaState, type RelationDefinition } from '@takes/metadata';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { LOGGER, NATS_CONNECTION } from '../tokens';

/**
 * This gateway's registry of every app's entities and relations. It loads them from the
 * event store at start, applies this replica's own changes as soon as the store accepts
 * them (so the next request sees them), follows `evt.*._meta.>` for other replicas'
 * changes, and reloads everything every `reloadMs` as a safety net.
 */
@Injectable()
export class MetadataService implements OnModuleInit, OnApplicationShutdown {
  private readonly apps = new Map<string, AppMetadata>();
  private readonly items = new Map<string, Map<string, MetaItemView>>();
  private timer?: NodeJS.Timeout;
  private following?: ConsumerMessages;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch((error) => this.log.warn({ err: error }, 'metadata reload failed')), this.config.metadataReloadMs);
    this.timer.unref();
    void this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.following?.stop();
  }

  /**
   * The entity's definition, or UNKNOWN_ENTITY (404). A route word (`/api/main/_admin/nope`
   * reaches the records routes as entity `_admin`) is an unknown route, not an unknown entity.
   */
  entity(app: string, name: string): EntityDefinition {
    if (ROUTE_WORDS.has(name)) throw new TakesError('NOT_FOUND', 'route not found');
    const entity = this.apps.get(app)?.entities.get(name);
    if (!entity) throw new TakesError('UNKNOWN_ENTITY', `unknown entity ${name}`);
    return entity;
  }

  metadata(app: string): AppMetadata {
    return this.apps.get(app) ?? emptyMetadata();
  }

  relation(app: string, name: string): RelationDefinition | undefined {
    return this.apps.get(app)?.relations.get(name);
  }

  /** A metadata item with its version and times (removed ones included). */
  item(app: string, key: string): MetaItemView | undefined {
    return this.items.get(app)?.get(key);
  }

  /** The app's records and definitions, as the kinds' change checks take them. */
  metaState(app: string): MetaState {
    return { items: this.items.get(app) ?? new Map(), metadata: this.metadata(app) };
  }

  itemsOf(app: string, kind: MetaKind): MetaItemView[] {
    return [...(this.items.get(app)?.values() ?? [])].filter((item) => item.key.startsWith(`${kind}:`) && !item.removed);
  }

  /** Applies one item as the store now holds it (ignored if older than what is known). */
  apply(item: MetaItemView): void {
    const known = this.items.get(item.app)?.get(item.key);
    if (known && known.version >= item.version) return;
    if (!this.items.has(item.app)) this.items.set(item.app, new Map());
    this.items.get(item.app)!.set(item.key, item);
    const current = this.apps.get(item.app) ?? emptyMetadata();
    this.apps.set(item.app, applyMetaChange(current, { key: item.key, definition: item.removed ? null : item.definition, position: item.position }));
  }

  async reload(app?: string): Promise<void> {
    const items = await this.store.readMeta(app ? { app } : {}, { traceparent: newTraceparent() });
    for (const item of items) this.apply(item);
  }

  /** Follows metadata events on JetStream; each one makes this replica reload that app's items. */
  private async follow(): Promise<void> {
    try {
      const consumer = await this.nc.jetstream().consumers.get(this.config.streamName, {
        filterSubjects: subjects(this.config.subjectPrefix).metaEvents(),
        deliver_policy: DeliverPolicy.New,
      });
      this.following = await consumer.consume();
      for await (const message of this.following) {
        const event = message.json<TakesEvent>();
        await this.reload(event.app).catch((error) => this.log.warn({ err: error, app: event.app }, 'metadata follow: reload failed'));
      }
    } catch (error) {
      this.log.warn({ err: error }, 'not following metadata events; relying on the periodic reload');
    }
  }
}
