import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  assertMessage,
  rebuildRequestSchema,
  rebuildStatusRequestSchema,
  subjects,
  type RebuildRequest,
  type RebuildStatus,
  type RebuildStatusRequest,
} from '@takes/contracts';
import { RpcController } from '@takes/bus';
import { Rebuilds } from './rebuilds';

/** The subjects without the deployment prefix (the RPC server puts it in front). */
const projector = subjects();

/** `projector.rebuild` and `projector.rebuild.status` over NATS request/reply. */
@RpcController()
export class RebuildHandler {
  constructor(private readonly rebuilds: Rebuilds) {}

  /** Starts a rebuild (or finds the one running) and answers with its status at once. */
  @MessagePattern(projector.rebuild())
  start(@Payload() body: unknown): Promise<RebuildStatus> {
    return this.rebuilds.start(assertMessage<RebuildRequest>(rebuildRequestSchema, body, 'rebuild request'));
  }

  @MessagePattern(projector.rebuildStatus())
  status(@Payload() body: unknown): RebuildStatus {
    return this.rebuilds.status(assertMessage<RebuildStatusRequest>(rebuildStatusRequestSchema, body, 'rebuild status request').app);
  }
}
