import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { sql, type Kysely } from 'kysely';
import {
  TakesError,
  assertMessage,
  subjects,
  type CommandSeen,
  type LastPosition,
  type MetaItems,
  type PositionPage,
  type StreamPage,
  readAllSchema,
  readHeadSchema,
  readMetaSchema,
  readPositionSchema,
  readCommandSchema,
  type ReadCommandRequest,
  readStateSchema,
  readStreamSchema,
  type ReadAllRequest,
  type ReadHeadRequest,
  type ReadMetaRequest,
  type ReadStateRequest,
  type ReadStreamRequest,
  type RecordStateView,
  type StreamHeadView,
} from '@takes/contracts';
import { RpcController } from '@takes/bus';
import type { EventStoreDb } from '../tables/event-store.db';
import { DATABASE, EVENT_STORE_DB } from '../tokens';
import type { Database } from '@takes/db';
import { readMeta } from './meta-read';
import { loadEventsAfter, loadEventsFrom } from './event-rows';
import { recordStateAt } from './record-state-at';

const DEFAULT_PAGE = 100;
/** The subjects without the deployment prefix (the RPC server puts it in front). */
const store = subjects();

/** `store.read.*`: the event store's reads over NATS request/reply. */
@RpcController()
export class ReadsHandler {
  constructor(
    @Inject(EVENT_STORE_DB) private readonly db: Kysely<EventStoreDb>,
    @Inject(DATABASE) private readonly database: Database<EventStoreDb>,
  ) {}

  /** The events of one record from a version on, a page at a time. */
  @MessagePattern(store.storeRead('stream'))
  async stream(@Payload() body: unknown): Promise<StreamPage> {
    const request = assertMessage<ReadStreamRequest>(readStreamSchema, body, 'stream read');
    const limit = request.limit ?? DEFAULT_PAGE;
    const events = await loadEventsFrom(this.db, request, request.from_version ?? 1, limit + 1);
    const page = events.slice(0, limit);
    return { events: page, next_version: events.length > limit ? events[limit].version : null };
  }

  /** A record as it was at a version, or at a time; the head when neither is given. */
  @MessagePattern(store.storeRead('state'))
  async state(@Payload() body: unknown): Promise<RecordStateView> {
    const request = assertMessage<ReadStateRequest>(readStateSchema, body, 'state read');
    const state = await recordStateAt(this.db, request, { version: request.version, time: request.time });
    if (!state) throw new TakesError('NOT_FOUND', `${request.entity} ${request.entity_id} has no such version`);
    return state;
  }

  /** Events after a global position (up to `until_position`), in position order (a reader never skips one). */
  @MessagePattern(store.storeRead('all'))
  async all(@Payload() body: unknown): Promise<PositionPage> {
    const request = assertMessage<ReadAllRequest>(readAllSchema, body, 'position read');
    const after = request.after_position ?? 0;
    const events = await loadEventsAfter(this.db, after, request.limit ?? DEFAULT_PAGE, request.app, request.until_position);
    return { events, next_position: events.length > 0 ? events[events.length - 1].position : after };
  }

  /** The head of one record's stream. */
  @MessagePattern(store.storeRead('head'))
  async head(@Payload() body: unknown): Promise<StreamHeadView> {
    const request = assertMessage<ReadHeadRequest>(readHeadSchema, body, 'head read');
    const row = await this.db
      .selectFrom('streams')
      .selectAll()
      .where('app', '=', request.app)
      .where('entity', '=', request.entity)
      .where('entity_id', '=', request.entity_id)
      .executeTakeFirst();
    if (!row) throw new TakesError('NOT_FOUND', `${request.entity} ${request.entity_id} not found`);
    return {
      app: row.app,
      entity: row.entity,
      entity_id: row.entity_id,
      version: row.version,
      deleted: row.deleted,
      state: row.state,
      last_commit_ts: row.last_commit_ts.toISOString(),
    };
  }

  /** Metadata items of an app (or of all apps), narrowed by key prefix and position when asked, with the position they cover. */
  @MessagePattern(store.storeRead('meta'))
  async meta(@Payload() body: unknown): Promise<MetaItems> {
    return readMeta(this.database.pool, assertMessage<ReadMetaRequest>(readMetaSchema, body, 'metadata read'));
  }

  /** The last committed global position: a reader that waits for it sees every write made so far. */
  @MessagePattern(store.storeRead('position'))
  async position(@Payload() body: unknown): Promise<LastPosition> {
    assertMessage(readPositionSchema, body ?? {}, 'position read');
    const { rows } = await sql<{ position: string | null }>`SELECT max(position) AS position FROM event_store.events`.execute(this.db);
    return { position: Number(rows[0]?.position ?? 0) };
  }

  /** Whether a command id was appended for this app and user. */
  @MessagePattern(store.storeRead('command'))
  async command(@Payload() body: unknown): Promise<CommandSeen> {
    const request = assertMessage<ReadCommandRequest>(readCommandSchema, body, 'command read');
    const { rows } = await sql<{ seen: boolean }>`
      SELECT EXISTS (SELECT 1 FROM event_store.commands
        WHERE app = ${request.app} AND user_id = ${request.user_id} AND command_id = ${request.command_id}) AS seen`.execute(this.db);
    return { seen: rows[0]?.seen === true };
  }
}
