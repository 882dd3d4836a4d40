import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TakesError, WEBHOOKS, type Webhooks } from '@takes/contracts';
import { uuidv7 } from '@takes/ids';
import { Allow } from '../auth/auth.guard';
import { MetaAdminService } from '../admin/meta-admin.service';
import { graceSeconds } from './grace-seconds';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `/api/:app/_admin/webhooks`: Rocket's webhook definitions (a `webhook:<id>` metadata
 * record each) plus their secrets. A secret is made by the webhooks service, kept in its
 * own schema (never in a `_meta` event, which every service reads), and shown once: in
 * the create answer, and in the answer of each rotation.
 */
@ApiTags('admin')
@Controller('api/:app/_admin/webhooks')
@Allow('admin')
export class WebhooksAdminController {
  constructor(
    private readonly meta: MetaAdminService,
    @Inject(WEBHOOKS) private readonly webhooks: Webhooks,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every webhook of the app (secrets are never listed)' })
  list(@Param('app') app: string) {
    return { data: this.meta.list(app, 'webhook') };
  }

  /**
   * The secret is issued for the new id first, then the definition appended: a webhook
   * never exists without a secret, and with the webhooks service down nothing is defined
   * (503, safe to send again). A define refused after the issue leaves an unused secret
   * row for an id nobody has.
   */
  @Post()
  @ApiOperation({ summary: 'Define a webhook; the answer carries its signing secret (whsec_...), shown this once' })
  async create(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    const id = uuidv7();
    // The definition is checked before a secret is made for it.
    if (!isObject(body)) throw new TakesError('VALIDATION_FAILED', 'invalid webhook definition', [{ field: '', rule: 'type', message: 'a webhook must be a JSON object' }]);
    this.meta.check(app, 'webhook', { ...body, id });
    const { secret } = await this.webhooks.issueSecret({ app, webhook_id: id }, { traceparent: req.traceparent });
    const definition = await this.meta.define(app, 'webhook', body, req.principal!, req.traceparent, undefined, id);
    return { data: { ...definition, secret } };
  }

  @Get(':id')
  get(@Param('app') app: string, @Param('id') id: string) {
    return { data: this.meta.get(app, 'webhook', id) };
  }

  @Put(':id')
  @ApiOperation({ summary: 'Redefine a webhook (its secret stays)' })
  async update(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return { data: await this.meta.define(app, 'webhook', body, req.principal!, req.traceparent, id) };
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@Param('app') app: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    await this.meta.remove(app, 'webhook', id, req.principal!, req.traceparent);
    return { data: { id, deleted: true } };
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret; the previous one keeps signing beside it for grace_seconds (default 86400)' })
  async rotate(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    this.meta.get(app, 'webhook', id);
    const grace = graceSeconds(body);
    return { data: await this.webhooks.rotateSecret({ app, webhook_id: id, ...(grace === undefined ? {} : { grace_seconds: grace }) }, { traceparent: req.traceparent }) };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: "Deliver again every event of the webhook's entity and hook since a position (since_position) or a time (since_time); each keeps its webhook-id" })
  async replay(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    this.meta.get(app, 'webhook', id);
    const input = isObject(body) ? body : {};
    const position = input.since_position;
    const time = input.since_time;
    const positionOk = typeof position === 'number' && Number.isInteger(position) && position >= 0;
    const timeOk = typeof time === 'string' && !Number.isNaN(Date.parse(time));
    if (positionOk === timeOk || (position !== undefined && !positionOk) || (time !== undefined && !timeOk)) {
      throw new TakesError('VALIDATION_FAILED', 'invalid replay', [{ field: 'since_position', rule: 'required', message: 'give one of since_position (a position) or since_time (an ISO time)' }]);
    }
    const request = positionOk ? { since_position: position as number } : { since_time: new Date(time as string).toISOString() };
    return { data: await this.webhooks.replay({ app, webhook_id: id, ...request }, { traceparent: req.traceparent }) };
  }
}
