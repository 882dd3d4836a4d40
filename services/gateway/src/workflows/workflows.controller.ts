import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { INSTANCE_STATUSES, TakesError, WORKFLOWS, type InstanceStatus, type Workflows } from '@takes/contracts';
import { Allow } from '../auth/auth.guard';
import { actorOf } from '../http/request-context';

/** `{comment}` of an approval or a rejection (optional; a string). */
function commentOf(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be {"comment": "..."}');
  const { comment, ...rest } = body as { comment?: unknown };
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid decision', extra.map((field) => ({ field, rule: 'unknown', message: `unknown property ${field}` })));
  if (comment !== undefined && comment !== null && typeof comment !== 'string') throw new TakesError('VALIDATION_FAILED', 'invalid decision', [{ field: 'comment', rule: 'type', message: 'comment must be a string' }]);
  return (comment as string | undefined) ?? null;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new TakesError('INVALID_PAYLOAD', `${name} must be a positive whole number`);
  return Number(value);
}

/**
 * Rocket's workflow routes: the approvals waiting for the caller, one instance with its
 * context and history, approve and reject. Served by the workflows service over NATS,
 * which checks that the caller may see or decide the instance.
 */
@ApiTags('workflows')
@Controller('api/:app/_workflows')
export class WorkflowsController {
  constructor(@Inject(WORKFLOWS) private readonly workflows: Workflows) {}

  @Get('pending')
  @ApiOperation({ summary: 'Approvals waiting for the caller: by their role or their user id (admins see every one)' })
  async pending(@Param('app') app: string, @Req() req: FastifyRequest) {
    return { data: await this.workflows.pending({ app, user: actorOf(req.principal!) }, { traceparent: req.traceparent }) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A workflow instance: status, current step, context and the history of every step (who, when); for admins, the approval\'s assignees and the user whose edit started it' })
  async get(@Param('app') app: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    return { data: await this.workflows.get({ app, id, user: actorOf(req.principal!) }, { traceparent: req.traceparent }) };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the step the instance waits on ({comment}); 403 without the assignee role, 409 when decided already. Answers once the instance ran on' })
  async approve(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return { data: await this.workflows.decide({ app, id, user: actorOf(req.principal!), decision: 'approve', comment: commentOf(body) }, { traceparent: req.traceparent }) };
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject the step the instance waits on ({comment}); 403 without the assignee role, 409 when decided already' })
  async reject(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return { data: await this.workflows.decide({ app, id, user: actorOf(req.principal!), decision: 'reject', comment: commentOf(body) }, { traceparent: req.traceparent }) };
  }
}

/** Admin view of every workflow instance, and the retry of a failed one. */
@ApiTags('admin')
@Controller('api/:app/_admin/workflow-instances')
@Allow('admin')
export class WorkflowInstancesController {
  constructor(@Inject(WORKFLOWS) private readonly workflows: Workflows) {}

  @Get()
  @ApiOperation({ summary: 'Workflow instances, newest first: ?status=running|waiting|completed|failed&workflow_id=&page=&per_page=' })
  async list(@Param('app') app: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    if (query.status !== undefined && !INSTANCE_STATUSES.includes(query.status as InstanceStatus)) {
      throw new TakesError('INVALID_PAYLOAD', `status must be one of ${INSTANCE_STATUSES.join(', ')}`);
    }
    return this.workflows.list(
      {
        app,
        status: (query.status as InstanceStatus | undefined) || undefined,
        workflow_id: query.workflow_id || undefined,
        page: positiveInt(query.page, 'page'),
        per_page: positiveInt(query.per_page, 'per_page'),
      },
      { traceparent: req.traceparent },
    );
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a failed instance\'s failed step again, as a new attempt (a new command id); 409 when it has not failed' })
  async retry(@Param('app') app: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    return { data: await this.workflows.retry({ app, id, user: actorOf(req.principal!) }, { traceparent: req.traceparent }) };
  }
}
