import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TakesError, WEBHOOKS, type Webhooks } from '@takes/contracts';
import { actionSourceId } from '@takes/metadata';
import { Allow } from '../auth/auth.guard';
import { MetaAdminService } from '../admin/meta-admin.service';
import type { ActionSourceKind } from './action-secrets';
import { graceSeconds } from './grace-seconds';

/**
 * Rotation of the signing secret of a state machine's or workflow's webhook actions:
 * the new secret in the answer (shown once), the previous one signing beside it for
 * grace_seconds. The routes sit beside each kind's own.
 */
@ApiTags('admin')
@Controller('api/:app/_admin')
@Allow('admin')
export class ActionSecretsController {
  constructor(
    private readonly meta: MetaAdminService,
    @Inject(WEBHOOKS) private readonly webhooks: Webhooks,
  ) {}

  @Post('state-machines/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: "A new signing secret for the state machine's webhook actions; the previous one keeps signing for grace_seconds (default 86400)" })
  rotateStateMachine(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return this.rotate(app, 'state_machine', id, body, req);
  }

  @Post('workflows/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: "A new signing secret for the workflow's webhook actions; the previous one keeps signing for grace_seconds (default 86400)" })
  rotateWorkflow(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return this.rotate(app, 'workflow', id, body, req);
  }

  private async rotate(app: string, kind: ActionSourceKind, id: string, body: unknown, req: FastifyRequest) {
    if (!this.meta.exists(app, kind, id)) throw new TakesError('NOT_FOUND', `unknown ${kind} ${id}`);
    const grace = graceSeconds(body);
    return { data: await this.webhooks.rotateSecret({ app, webhook_id: actionSourceId(kind, id), ...(grace === undefined ? {} : { grace_seconds: grace }) }, { traceparent: req.traceparent }) };
  }
}
