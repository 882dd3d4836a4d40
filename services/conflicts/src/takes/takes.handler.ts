import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { TakesError, isTakesError, replyData, subjects, type AppendCommand, type AppendResult, type Reply, type TakesEvent } from '@takes/contracts';
import { NatsRpcContext, requestJson } from '@takes/bus';
import type { Database } from '@takes/db';
import { uuidv7 } from '@takes/ids';
import { eventGraph, fieldPointer, fieldTakes, graphSvg, pickedValue } from '@takes/merge';
import { CONFLICTS_CONFIG, type ConflictsConfig } from '../config';
import { DATABASE, LOGGER, NATS_CONNECTION } from '../tokens';

interface RecordRef {
  app: string;
  entity: string;
  entity_id: string;
}

/**
 * `conflicts.*`: the takes of a record (computed from its events, so exact at once), its
 * branch/submit/commit graph, the review queue, and a reviewer's pick.
 */
@Controller()
export class TakesHandler {
  private readonly subjects;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(CONFLICTS_CONFIG) private readonly config: ConflictsConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.subjects = subjects(config.subjectPrefix);
  }

  @MessagePattern('conflicts.history')
  history(@Payload() body: RecordRef, @Ctx() ctx: NatsRpcContext) {
    return this.guard(ctx, async () => fieldTakes(await this.events(body, ctx)));
  }

  @MessagePattern('conflicts.graph')
  graph(@Payload() body: RecordRef & { format?: 'json' | 'svg' }, @Ctx() ctx: NatsRpcContext) {
    return this.guard(ctx, async () => {
      const graph = eventGraph(await this.events(body, ctx));
      return body.format === 'svg' ? { svg: graphSvg(graph) } : graph;
    });
  }

  /** A reviewer picks a take (or a value) for a field: a `resolved` event through the event store. */
  @MessagePattern('conflicts.resolve')
  resolve(@Payload() body: RecordRef & { field: string; take?: string; value?: unknown; base_version?: number; command_id?: string; user: { id: string; roles: string[] } }, @Ctx() ctx: NatsRpcContext) {
    return this.guard(ctx, async () => {
      if (typeof body.field !== 'string' || body.field === '') {
        throw new TakesError('VALIDATION_FAILED', 'field is required', [{ field: 'field', rule: 'required', message: 'the field (name or JSON Pointer) to resolve' }]);
      }
      const value = pickedValue(await this.events(body, ctx), body.field, { take: body.take, value: body.value });
      const command: AppendCommand = {
        v: 1,
        command_id: body.command_id ?? uuidv7(),
        app: body.app,
        entity: body.entity,
        entity_id: body.entity_id,
        op: 'resolve',
        base_version: body.base_version ?? null,
        data: { field: fieldPointer(body.field), value },
        user: body.user,
      };
      return replyData(await requestJson<AppendResult>(this.nc, this.subjects.command(body.app, body.entity), command, { timeoutMs: this.config.storeTimeoutMs, traceparent: ctx.traceparent }));
    });
  }

  /** The review queue: records with contested, unresolved fields, oldest first. */
  @MessagePattern('conflicts.queue')
  queue(@Payload() body: { app: string; entity?: string; user?: string; device?: string; min_age_seconds?: number; page?: number; per_page?: number }, @Ctx() ctx: NatsRpcContext) {
    return this.guard(ctx, async () => {
      const perPage = Math.min(Math.max(body.per_page ?? 25, 1), 100);
      const page = Math.max(body.page ?? 1, 1);
      const where = `app = $1 AND ($2::text IS NULL OR entity = $2) AND ($3::text IS NULL OR user_id = $3) AND ($4::text IS NULL OR device = $4)
        AND ($5::int IS NULL OR contested_at <= now() - make_interval(secs => $5))`;
      const params = [body.app, body.entity ?? null, body.user ?? null, body.device ?? null, body.min_age_seconds ?? null];
      const { rows } = await this.database.pool.query(
        `SELECT entity, entity_id AS id, array_agg(pointer ORDER BY pointer) AS fields, max(version) AS version,
                min(contested_at) AS contested_since, array_agg(DISTINCT user_id) AS users, array_agg(DISTINCT device) FILTER (WHERE device IS NOT NULL) AS devices
         FROM conflicts.contested WHERE ${where}
         GROUP BY entity, entity_id ORDER BY min(contested_at), entity, entity_id LIMIT $6 OFFSET $7`,
        [...params, perPage, (page - 1) * perPage],
      );
      const [{ total }] = (await this.database.pool.query(`SELECT count(DISTINCT (entity, entity_id))::int AS total FROM conflicts.contested WHERE ${where}`, params)).rows;
      return {
        data: rows.map((r) => ({ ...r, devices: r.devices ?? [], contested_since: (r.contested_since as Date).toISOString() })),
        meta: { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) },
      };
    });
  }

  /** Every event of a record, read from the event store page by page. */
  private async events(ref: RecordRef, ctx: NatsRpcContext): Promise<TakesEvent[]> {
    const events: TakesEvent[] = [];
    for (let from: number | null = 1; from !== null; ) {
      const page: { events: TakesEvent[]; next_version: number | null } = replyData(
        await requestJson(
          this.nc,
          this.subjects.storeRead('stream'),
          { app: ref.app, entity: ref.entity, entity_id: ref.entity_id, from_version: from, limit: 1000 },
          { timeoutMs: this.config.storeTimeoutMs, traceparent: ctx.traceparent },
        ),
      );
      events.push(...page.events);
      from = page.next_version;
    }
    if (events.length === 0) throw new TakesError('NOT_FOUND', `${ref.entity} ${ref.entity_id} not found`);
    return events;
  }

  private async guard<T>(ctx: NatsRpcContext, work: () => Promise<T>): Promise<Reply<T>> {
    try {
      return { data: await work() };
    } catch (error) {
      if (isTakesError(error)) return { error: error.toBody() };
      this.log.error({ err: error, subject: ctx.subject }, 'conflicts request failed');
      return { error: { code: 'INTERNAL_ERROR', message: 'internal error' } };
    }
  }
}
