import type { NatsConnection } from 'nats';
import {
  subjects,
  type CallOptions,
  type DecideRequest,
  type InstanceRequest,
  type ListInstancesRequest,
  type PendingRequest,
  type RetryRequest,
  type Subjects,
  type WorkflowInstanceView,
  type Workflows,
  type WorkflowsPage,
  type WorkflowsRequest,
} from '@takes/contracts';
import type { NatsClientOptions } from './nats-event-store';
import { requestData } from './rpc-client';

/**
 * The `Workflows` port over NATS request/reply (`workflows.<what>`). An error reply is
 * thrown as a TakesError with its code and details; no answer in time is UNAVAILABLE.
 */
export class NatsWorkflows implements Workflows {
  private readonly subjects: Subjects;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsClientOptions,
  ) {
    this.subjects = subjects(options.subjectPrefix);
  }

  pending(request: PendingRequest, options?: CallOptions): Promise<WorkflowInstanceView[]> {
    return this.ask('pending', request, options);
  }

  get(request: InstanceRequest, options?: CallOptions): Promise<WorkflowInstanceView> {
    return this.ask('get', request, options);
  }

  decide(request: DecideRequest, options?: CallOptions): Promise<WorkflowInstanceView> {
    return this.ask('decide', request, options);
  }

  list(request: ListInstancesRequest, options?: CallOptions): Promise<WorkflowsPage> {
    return this.ask('list', request, options);
  }

  retry(request: RetryRequest, options?: CallOptions): Promise<WorkflowInstanceView> {
    return this.ask('retry', request, options);
  }

  private ask<T>(what: WorkflowsRequest, request: object, options: CallOptions = {}): Promise<T> {
    return requestData(this.nc, this.subjects.workflows(what), { v: 1, ...request }, {
      timeoutMs: this.options.timeoutMs,
      traceparent: options.traceparent,
      unavailableMessage: 'the workflows service did not answer; retry shortly',
    });
  }
}
