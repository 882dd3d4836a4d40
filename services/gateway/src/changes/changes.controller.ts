import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { EVENT_STORE, TakesError, type EventStore } from '@takes/contracts';
import { assertAllowed } from '../records/permissions';
import { decodeCursor, encodeCursor } from './changes-cursor';

/**
 * `GET /api/:app/_changes?since=<cursor>`: everything that changed in the app, in the
 * store's global order (positions), a page at a time, with the cursor to ask for next.
 * Positions become visible in order, so following the cursor never skips an event.
 */
@ApiTags('sync')
@Controller('api/:app')
export class ChangesController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('_changes')
  @ApiOperation({ summary: "The app's events after a cursor, in commit order; `meta.next` is the cursor to continue from" })
  async changes(@Param('app') app: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    const since = decodeCursor(query.since);
    const limit = query.limit === undefined ? 100 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new TakesError('INVALID_PAYLOAD', 'limit must be 1 to 1000');
    const page = await this.store.readAfter({ after_position: since, limit, app }, { traceparent: req.traceparent });
    const events = page.events.filter((event) => event.entity === '_meta' || this.mayRead(req, event.entity));
    return { data: events, meta: { next: encodeCursor(page.next_position), has_more: page.events.length === limit } };
  }

  private mayRead(req: FastifyRequest, entity: string): boolean {
    try {
      assertAllowed(req.principal!, entity, 'read');
      return true;
    } catch {
      return false;
    }
  }
}
