import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import {
  ErrorCode,
  TakesError,
  appendCommandSchema,
  assertMessage,
  isTakesError,
  replyData,
  subjects,
  type AppendCommand,
  type AppendResult,
} from '@takes/contracts';
import { commandFingerprint } from '@takes/decide';
import { RpcController, NatsRpcContext, traceIdOf } from '@takes/bus';
import { EventStoreMetrics } from '../metrics';
import { GroupCommitter } from './group-commit';

/** The handler's pattern; the RPC server puts the deployment's prefix before it. */
const store = subjects();

/** `cmd.<app>.<entity>`: writes to one record, answered when PostgreSQL has committed them. */
@RpcController()
export class CommandsHandler {
  constructor(
    private readonly committer: GroupCommitter,
    private readonly metrics: EventStoreMetrics,
  ) {}

  @MessagePattern(store.commandWildcard())
  async append(@Payload() body: unknown, @Ctx() ctx: NatsRpcContext): Promise<AppendResult> {
    const timer = this.metrics.appendSeconds.startTimer();
    try {
      const command = assertMessage<AppendCommand>(appendCommandSchema, body, 'append command');
      assertSubjectMatches(ctx.subject, command);
      // The committer hands what it committed to the relay, which wakes for it.
      const result = replyData(await this.committer.submit({ command, fingerprint: commandFingerprint(command), traceId: traceIdOf(ctx.traceparent) }));
      this.metrics.commands.inc({ result: result.outcome });
      return result;
    } catch (error) {
      // Counted here, answered by the RPC server.
      this.metrics.commands.inc({ result: isTakesError(error) ? error.code : ErrorCode.INTERNAL_ERROR });
      throw error;
    } finally {
      timer();
    }
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
