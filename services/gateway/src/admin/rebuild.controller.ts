import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ENTITY_NAME, PROJECTOR_REBUILDS, TakesError, type ProjectorRebuilds } from '@takes/contracts';
import { Allow } from '../auth/auth.guard';

/** Checks the body of a rebuild request: `{}` or `{entity}`. */
function parseRebuild(body: unknown): { entity?: string } {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => key !== 'entity');
  if (unknown.length > 0) {
    throw new TakesError('VALIDATION_FAILED', 'invalid rebuild request', unknown.map((key) => ({ field: key, rule: 'unknown', message: `unknown field ${key}` })));
  }
  if (input.entity === undefined) return {};
  if (typeof input.entity !== 'string' || !ENTITY_NAME.test(input.entity) || input.entity === '_meta') {
    throw new TakesError('VALIDATION_FAILED', 'invalid rebuild request', [{ field: 'entity', rule: 'type', message: 'entity must be an entity name' }]);
  }
  return { entity: input.entity };
}

/**
 * `/api/:app/_admin/rebuild`: rebuilds the app's read tables (or one entity's) from
 * position 0 into new tables that are swapped in once caught up; the old ones serve
 * reads meanwhile. The work is the projector's, asked over NATS; no answer is 503.
 */
@ApiTags('admin')
@Controller('api/:app/_admin/rebuild')
@Allow('admin')
export class RebuildController {
  constructor(@Inject(PROJECTOR_REBUILDS) private readonly rebuilds: ProjectorRebuilds) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a rebuild of the read tables: {entity?}; answers with its status (the running one if there is one)' })
  async start(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return { data: await this.rebuilds.start({ v: 1, app, ...parseRebuild(body) }, { traceparent: req.traceparent }) };
  }

  @Get()
  @ApiOperation({ summary: "The app's running or latest rebuild: state, position, last_position, events_per_second, eta_seconds" })
  async status(@Param('app') app: string, @Req() req: FastifyRequest) {
    return { data: await this.rebuilds.status({ v: 1, app }, { traceparent: req.traceparent }) };
  }
}
