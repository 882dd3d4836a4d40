import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { EVENT_STORE, TakesError, type EventStore, type TakesEvent } from '@takes/contracts';
import { isLinkEntity, LINK_ENTITY_PREFIX } from '@takes/metadata';
import { MetadataService } from '../metadata/metadata.service';
import { RecordAccess, type ReadableRows } from '../permissions/record-access';
import { decodeCursor, encodeCursor } from './changes-cursor';

/** The `_meta` kinds every user of an app sees in `_changes` (a client needs the schema); the rest are the admin's. */
const SHARED_META = ['entity:', 'relation:'];

/**
 * `GET /api/:app/_changes?since=<cursor>`: everything that changed in the app, in the
 * store's global order (positions), a page at a time, with the cursor to ask for next.
 * Positions become visible in order, so following the cursor never skips an event.
 * Each user gets only the events of records they may read now (the cursor still moves
 * past the others); a link between two records only when both entities are wholly readable.
 */
@ApiTags('sync')
@Controller('api/:app')
export class ChangesController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metadata: MetadataService,
    private readonly access: RecordAccess,
  ) {}

  @Get('_changes')
  @ApiOperation({ summary: "The app's events after a cursor, in commit order, of the records the caller may read; `meta.next` is the cursor to continue from" })
  async changes(@Param('app') app: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    const readable = req.principal!.roles.includes('admin') ? null : this.access.readableEntities(app, req.principal!);
    const since = decodeCursor(query.since);
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new TakesError('INVALID_PAYLOAD', 'limit must be 1 to 1000');
    const page = await this.store.readAfter({ after_position: since, limit, app }, { traceparent: req.traceparent });
    const events = readable === null ? page.events : await this.readableEvents(app, readable, page.events);
    return { data: events, meta: { next: encodeCursor(page.next_position), has_more: page.events.length === limit } };
  }

  private async readableEvents(app: string, readable: Map<string, ReadableRows>, events: TakesEvent[]): Promise<TakesEvent[]> {
    const metadata = this.metadata.metadata(app);
    const wholly = (name: string) => readable.has(name) && readable.get(name) === undefined;
    const kept = new Set<string>();
    const byEntity = new Map<string, string[]>();
    for (const event of events) {
      if (event.entity === '_meta' || isLinkEntity(event.entity)) continue;
      byEntity.set(event.entity, [...(byEntity.get(event.entity) ?? []), event.entity_id]);
    }
    for (const [name, ids] of byEntity) {
      const entity = metadata.entities.get(name);
      if (!entity || !readable.has(name)) continue;
      for (const id of await this.access.readableIds(app, entity, readable.get(name), [...new Set(ids)])) kept.add(`${name}\u001f${id}`);
    }
    return events.filter((event) => {
      if (event.entity === '_meta') return SHARED_META.some((prefix) => event.entity_id.startsWith(prefix));
      if (isLinkEntity(event.entity)) {
        const relation = metadata.relations.get(event.entity.slice(LINK_ENTITY_PREFIX.length));
        return relation !== undefined && wholly(relation.source) && wholly(relation.target);
      }
      return kept.has(`${event.entity}\u001f${event.entity_id}`);
    });
  }
}
