import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { Logger } from 'pino';
import {
  TakesError,
  appendCommandSchema,
  assertMessage,
  type AppendCommand,
  type AppendResult,
  type Reply,
} from '@takes/contracts';
import { commandFingerprint } from '@takes/decide';
import { NatsRpcContext, traceIdOf } from '@takes/bus';
import { EventStoreMetrics } from '../metrics';
import { Relay } from '../relay/relay';
import { LOGGER } from '../tokens';
import { errorReply } from '../reply-errors';
import { GroupCommitter } from './group-commit';

/** `cmd.<app>.<entity>`: writes to one record, answered when PostgreSQL has committed them. */
@Controller()
export class CommandsHandler {
  constructor(
    private readonly committer: GroupCommitter,
    private readonly relay: Relay,
    private readonly metrics: EventStoreMetrics,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  @MessagePattern('cmd.*.*')
  async append(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<Reply<AppendResult>> {
    const timer = this.metrics.appendSeconds.startTimer();
    let reply: Reply<AppendResult>;
    try {
      const command = assertMessage<AppendCommand>(appendCommandSchema, body, 'append command');
      assertSubjectMatches(ctx.subject, command);
      reply = await this.committer.submit({
        command,
        fingerprint: commandFingerprint(command),
        traceId: traceIdOf(ctx.traceparent),
      });
      if ('data' in reply) this.relay.wake();
    } catch (error) {
      reply = errorReply(error, this.log, { subject: ctx.subject });
    }
    timer();
    this.metrics.commands.inc({ result: 'data' in reply ? reply.data.outcome : reply.error.code });
    return reply;
  }
}

/** The subject names the app and entity; a body that says otherwise is refused. */
function assertSubjectMatches(subject: string, command: AppendCommand): void {
  const tokens = subject.split('.');
  const [app, entity] = tokens.slice(-2);
  if (app !== command.app || entity !== command.entity) {
    throw new TakesError('INVALID_PAYLOAD', `command for ${command.app}.${command.entity} sent on ${subject}`);
  }
}
