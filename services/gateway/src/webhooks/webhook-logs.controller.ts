import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TakesError, WEBHOOKS, type Webhooks } from '@takes/contracts';
import { Allow } from '../auth/auth.guard';

const STATUSES = new Set(['pending', 'retrying', 'delivered', 'failed', 'cancelled']);

function time(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (Number.isNaN(Date.parse(value))) throw new TakesError('INVALID_PAYLOAD', `${name} must be an ISO time`);
  return new Date(value).toISOString();
}

function whole(value: string | undefined, name: string, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) throw new TakesError('INVALID_PAYLOAD', `${name} must be a whole number from 1 to ${max}`);
  return Number(value);
}

/** `/api/:app/_admin/webhook-logs`: the delivery log (one row per event and endpoint, with each attempt), manual retry. */
@ApiTags('admin')
@Controller('api/:app/_admin/webhook-logs')
@Allow('admin')
export class WebhookLogsController {
  constructor(@Inject(WEBHOOKS) private readonly webhooks: Webhooks) {}

  @Get()
  @ApiOperation({ summary: 'Deliveries, newest first' })
  @ApiQuery({ name: 'webhook_id', required: false })
  @ApiQuery({ name: 'status', required: false, description: 'pending, retrying, delivered, failed or cancelled' })
  @ApiQuery({ name: 'entity', required: false })
  @ApiQuery({ name: 'record_id', required: false })
  @ApiQuery({ name: 'since', required: false, description: 'ISO time: deliveries made at or after it' })
  @ApiQuery({ name: 'until', required: false, description: 'ISO time: deliveries made before it' })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'per_page', required: false })
  list(@Param('app') app: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    if (query.status !== undefined && query.status !== '' && !STATUSES.has(query.status)) throw new TakesError('INVALID_PAYLOAD', `status is one of ${[...STATUSES].join(', ')}`);
    return this.webhooks.logs(
      {
        app,
        webhook_id: query.webhook_id || query.endpoint || undefined,
        status: query.status || undefined,
        entity: query.entity || undefined,
        record_id: query.record_id || undefined,
        since: time(query.since, 'since'),
        until: time(query.until, 'until'),
        page: whole(query.page, 'page', 1_000_000),
        per_page: whole(query.per_page, 'per_page', 100),
      },
      { traceparent: req.traceparent },
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'One delivery with every attempt (status, duration, response excerpt)' })
  async get(@Param('app') app: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    return { data: await this.webhooks.log({ app, id }, { traceparent: req.traceparent }) };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Attempt a delivery again now (a failed one too), with the same webhook-id' })
  async retry(@Param('app') app: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    return { data: await this.webhooks.retry({ app, id }, { traceparent: req.traceparent }) };
  }
}
