import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  ErrorCode,
  REBUILD_STATUS_SUBJECT,
  REBUILD_SUBJECT,
  assertMessage,
  isTakesError,
  rebuildRequestSchema,
  rebuildStatusRequestSchema,
  type RebuildRequest,
  type RebuildStatus,
  type RebuildStatusRequest,
  type Reply,
} from '@takes/contracts';
import type { NatsRpcContext } from '@takes/bus';
import { LOGGER } from '../tokens';
import { Rebuilds } from './rebuilds';

/** `projector.rebuild` and `projector.rebuild.status` over NATS request/reply. */
@Controller()
export class RebuildHandler {
  constructor(
    private readonly rebuilds: Rebuilds,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Starts a rebuild (or finds the one running) and answers with its status at once. */
  @MessagePattern(REBUILD_SUBJECT)
  start(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<Reply<RebuildStatus>> {
    return this.guard(ctx, () => this.rebuilds.start(assertMessage<RebuildRequest>(rebuildRequestSchema, body, 'rebuild request')));
  }

  @MessagePattern(REBUILD_STATUS_SUBJECT)
  status(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<Reply<RebuildStatus>> {
    return this.guard(ctx, () => this.rebuilds.status(assertMessage<RebuildStatusRequest>(rebuildStatusRequestSchema, body, 'rebuild status request').app));
  }

  private async guard<T>(ctx: NatsRpcContext, handle: () => T | Promise<T>): Promise<Reply<T>> {
    try {
      return { data: await handle() };
    } catch (error) {
      if (isTakesError(error)) return { error: error.toBody() };
      this.log.error({ err: error, subject: ctx.subject }, 'unexpected failure');
      return { error: { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' } };
    }
  }
}
