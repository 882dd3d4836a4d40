import type { NatsConnection } from 'nats';
import {
  subjects,
  type AppendResult,
  type CallOptions,
  type Conflicts,
  type ConflictsRequest,
  type EventGraphView,
  type FieldHistoryView,
  type GraphRequest,
  type QueueRequest,
  type RecordRef,
  type ResolveRequest,
  type ReviewQueuePage,
  type Subjects,
} from '@takes/contracts';
import type { NatsClientOptions } from './nats-event-store';
import { requestData } from './rpc-client';

/**
 * The `Conflicts` port over NATS request/reply (`conflicts.<what>`). An error reply is
 * thrown as a TakesError with its code and details; no answer in time is UNAVAILABLE.
 */
export class NatsConflicts implements Conflicts {
  private readonly subjects: Subjects;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsClientOptions,
  ) {
    this.subjects = subjects(options.subjectPrefix);
  }

  history(request: RecordRef, options?: CallOptions): Promise<FieldHistoryView[]> {
    return this.ask('history', request, options);
  }

  graph(request: GraphRequest, options?: CallOptions): Promise<EventGraphView> {
    return this.ask('graph', request, options);
  }

  resolve(request: ResolveRequest, options?: CallOptions): Promise<AppendResult> {
    return this.ask('resolve', request, options);
  }

  queue(request: QueueRequest, options?: CallOptions): Promise<ReviewQueuePage> {
    return this.ask('queue', request, options);
  }

  private ask<T>(what: ConflictsRequest, request: object, options: CallOptions = {}): Promise<T> {
    return requestData(this.nc, this.subjects.conflicts(what), { v: 1, ...request }, {
      timeoutMs: this.options.timeoutMs,
      traceparent: options.traceparent,
      unavailableMessage: 'the conflicts service did not answer; retry shortly',
    });
  }
}
