import type { NatsConnection } from 'nats';
import { subjects, type CallOptions, type ProjectorRebuilds, type RebuildRequest, type RebuildStatus, type RebuildStatusRequest, type Subjects } from '@takes/contracts';
import type { NatsClientOptions } from './nats-event-store';
import { requestData } from './rpc-client';

/**
 * The `ProjectorRebuilds` port over NATS request/reply (`projector.rebuild`,
 * `projector.rebuild.status`). An error reply is thrown as a TakesError with its code;
 * no answer in time is UNAVAILABLE with `unavailableMessage`.
 */
export class NatsProjectorRebuilds implements ProjectorRebuilds {
  private readonly subjects: Subjects;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsClientOptions & { unavailableMessage?: string },
  ) {
    this.subjects = subjects(options.subjectPrefix);
  }

  start(request: RebuildRequest, options?: CallOptions): Promise<RebuildStatus> {
    return this.ask(this.subjects.rebuild(), request, options);
  }

  status(request: RebuildStatusRequest, options?: CallOptions): Promise<RebuildStatus> {
    return this.ask(this.subjects.rebuildStatus(), request, options);
  }

  private ask(subject: string, request: object, options: CallOptions = {}): Promise<RebuildStatus> {
    return requestData(this.nc, subject, { v: 1, ...request }, {
      timeoutMs: this.options.timeoutMs,
      traceparent: options.traceparent,
      unavailableMessage: this.options.unavailableMessage ?? 'the projector did not answer; retry shortly',
    });
  }
}
