import { Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import {
  EVENT_STORE,
  TakesError,
  assertMessage,
  graphRequestSchema,
  historyRequestSchema,
  queueRequestSchema,
  resolveRequestSchema,
  subjects,
  type AppendCommand,
  type AppendResult,
  type EventStore,
  type GraphRequest,
  type QueueRequest,
  type RecordRef,
  type ResolveRequest,
  type ReviewQueuePage,
  type TakesEvent,
} from '@takes/contracts';
import { RpcController, type NatsRpcContext } from '@takes/bus';
import type { Database } from '@takes/db';
import { uuidv7 } from '@takes/ids';
import { managedFields, pickRefusal } from '@takes/decide';
import { RECORD_FIELD, eventGraph, fieldPointer, fieldTakes, graphSvg, pickedValue, type EventGraph, type FieldHistory } from '@takes/merge';
import { metaStateOf, type EntityDefinition } from '@takes/metadata';
import { DATABASE } from '../tokens';

/** The subjects without the deployment prefix (the RPC server puts it in front). */
const conflicts = subjects();

/**
 * `conflicts.*` (the `Conflicts` port's server side): the takes of a record (computed
 * from its events, so exact at once), its branch/submit/commit graph, the review queue,
 * and a reviewer's pick. Each request is checked against its schema in contracts.
 */
@RpcController()
export class TakesHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE) private readonly database: Database<unknown>,
  ) {}

  /** Each field's takes; the fields the server manages (auto timestamps, `deleted_at`, computed ones) are none. */
  @MessagePattern(conflicts.conflicts('history'))
  async history(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<FieldHistory[]> {
    const request = assertMessage<RecordRef>(historyRequestSchema, body, 'history request');
    const [events, entity] = await Promise.all([this.events(request, ctx), this.entity(request, ctx)]);
    return fieldTakes(events, { managed: entity?.managed });
  }

  @MessagePattern(conflicts.conflicts('graph'))
  async graph(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<EventGraph | { svg: string }> {
    const request = assertMessage<GraphRequest>(graphRequestSchema, body, 'graph request');
    const graph = eventGraph(await this.events(request, ctx));
    return request.format === 'svg' ? { svg: graphSvg(graph) } : graph;
  }

  /** A reviewer picks a take (or a value) for a field: a `resolved` event through the event store. */
  @MessagePattern(conflicts.conflicts('resolve'))
  async resolve(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<AppendResult> {
    const request = assertMessage<ResolveRequest>(resolveRequestSchema, body, 'resolve request');
    if (request.field === '') {
      throw new TakesError('VALIDATION_FAILED', 'field is required', [
        { field: 'field', rule: 'required', message: `the field (name or JSON Pointer) to resolve; ${RECORD_FIELD} for a contest of the whole record` },
      ]);
    }
    // The key and the managed fields cannot be picked (the store's decider refuses them too).
    const entity = await this.entity(request, ctx);
    const refusal = entity && pickRefusal(entity.definition, entity.managed, fieldPointer(request.field));
    if (refusal) throw refusal;
    const value = pickedValue(await this.events(request, ctx), request.field, { take: request.take, value: request.value });
    const command: AppendCommand = {
      v: 1,
      command_id: request.command_id ?? uuidv7(),
      app: request.app,
      entity: request.entity,
      entity_id: request.entity_id,
      op: 'resolve',
      base_version: request.base_version ?? null,
      data: { field: fieldPointer(request.field), value },
      user: request.user,
    };
    return this.store.append(command, { traceparent: ctx.traceparent });
  }

  /** The review queue: records with contested, unresolved fields, oldest first. */
  @MessagePattern(conflicts.conflicts('queue'))
  async queue(@Payload() body: unknown): Promise<ReviewQueuePage> {
    const request = assertMessage<QueueRequest>(queueRequestSchema, body, 'queue request');
    const perPage = Math.min(Math.max(request.per_page ?? 25, 1), 100);
    const page = Math.max(request.page ?? 1, 1);
    const where = `app = $1 AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR $3 = ANY(users)) AND ($4::text IS NULL OR $4 = ANY(devices))
      AND ($5::int IS NULL OR contested_at <= now() - make_interval(secs => $5)) AND ($6::text[] IS NULL OR entity = ANY($6))`;
    const params = [request.app, request.entity ?? null, request.user ?? null, request.device ?? null, request.min_age_seconds ?? null, request.entities ?? null];
    const { rows } = await this.database.pool.query(
      `SELECT entity, entity_id AS id, array_agg(pointer ORDER BY pointer) AS fields, max(version) AS version,
              min(contested_at) AS contested_since,
              ARRAY(SELECT DISTINCT u FROM conflicts.contested p, unnest(p.users) AS u
                    WHERE p.app = c.app AND p.entity = c.entity AND p.entity_id = c.entity_id ORDER BY u) AS users,
              ARRAY(SELECT DISTINCT d FROM conflicts.contested p, unnest(p.devices) AS d
                    WHERE p.app = c.app AND p.entity = c.entity AND p.entity_id = c.entity_id ORDER BY d) AS devices
       FROM conflicts.contested c WHERE ${where}
       GROUP BY c.app, entity, entity_id ORDER BY min(contested_at), entity, entity_id LIMIT $7 OFFSET $8`,
      [...params, perPage, (page - 1) * perPage],
    );
    const [{ total }] = (await this.database.pool.query(`SELECT count(DISTINCT (entity, entity_id))::int AS total FROM conflicts.contested WHERE ${where}`, params)).rows;
    return {
      data: rows.map((r) => ({ ...r, contested_since: (r.contested_since as Date).toISOString() })),
      meta: { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) },
    };
  }

  /** The record's entity as the store's metadata has it, with the fields the server manages (null: no such entity). */
  private async entity(ref: RecordRef, ctx: NatsRpcContext): Promise<{ definition: EntityDefinition; managed: Set<string> } | null> {
    const { metadata } = metaStateOf(await this.store.readMeta({ app: ref.app }, { traceparent: ctx.traceparent }));
    const definition = metadata.entities.get(ref.entity);
    return definition ? { definition, managed: managedFields(definition, metadata) } : null;
  }

  /** Every event of a record, read from the event store page by page. */
  private async events(ref: RecordRef, ctx: NatsRpcContext): Promise<TakesEvent[]> {
    const events: TakesEvent[] = [];
    for (let from: number | null = 1; from !== null; ) {
      const page = await this.store.readStream({ app: ref.app, entity: ref.entity, entity_id: ref.entity_id, from_version: from, limit: 1000 }, { traceparent: ctx.traceparent });
      events.push(...page.events);
      from = page.next_version;
    }
    if (events.length === 0) throw new TakesError('NOT_FOUND', `${ref.entity} ${ref.entity_id} not found`);
    return events;
  }
}

