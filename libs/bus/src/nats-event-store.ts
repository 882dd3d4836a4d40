import type { NatsConnection } from 'nats';
import {
  subjects,
  type AppendCommand,
  type AppendResult,
  type CallOptions,
  type CommandSeen,
  type EventStore,
  type LastPosition,
  type MetaItemView,
  type MetaItems,
  type PositionPage,
  type ReadAllRequest,
  type ReadCommandRequest,
  type ReadHeadRequest,
  type ReadMetaRequest,
  type ReadStateRequest,
  type ReadStreamRequest,
  type RecordStateView,
  type StoreRead,
  type StreamHeadView,
  type StreamPage,
  type Subjects,
} from '@takes/contracts';
import { requestData } from './rpc-client';

/** Where a NATS client of a service finds it, and how long it waits for an answer. */
export interface NatsClientOptions {
  /** The deployment's subject prefix (`''` in production). */
  subjectPrefix: string;
  /** How long one request waits for its reply before it is UNAVAILABLE (ms). */
  timeoutMs: number;
}

/**
 * The `EventStore` port over NATS request/reply: `cmd.<app>.<entity>` for appends,
 * `store.read.<what>` for reads, each with the caller's traceparent. An error reply is
 * thrown as a TakesError with its code and details; no answer in time is UNAVAILABLE.
 */
export class NatsEventStore implements EventStore {
  private readonly subjects: Subjects;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsClientOptions,
  ) {
    this.subjects = subjects(options.subjectPrefix);
  }

  append(command: AppendCommand, options: CallOptions = {}): Promise<AppendResult> {
    return requestData(this.nc, this.subjects.command(command.app, command.entity), command, { timeoutMs: this.options.timeoutMs, traceparent: options.traceparent });
  }

  readStream(request: ReadStreamRequest, options?: CallOptions): Promise<StreamPage> {
    return this.read('stream', request, options);
  }

  readAfter(request: ReadAllRequest, options?: CallOptions): Promise<PositionPage> {
    return this.read('all', request, options);
  }

  stateAt(request: ReadStateRequest, options?: CallOptions): Promise<RecordStateView> {
    return this.read('state', request, options);
  }

  head(request: ReadHeadRequest, options?: CallOptions): Promise<StreamHeadView> {
    return this.read('head', request, options);
  }

  async lastPosition(options?: CallOptions): Promise<number> {
    return (await this.read<LastPosition>('position', {}, options)).position;
  }

  command(request: ReadCommandRequest, options?: CallOptions): Promise<CommandSeen> {
    return this.read('command', request, options);
  }

  async readMeta(request: ReadMetaRequest, options?: CallOptions): Promise<MetaItemView[]> {
    return (await this.readMetaAt(request, options)).items;
  }

  readMetaAt(request: ReadMetaRequest, options?: CallOptions): Promise<MetaItems> {
    return this.read<MetaItems>('meta', request, options);
  }

  private read<T>(what: StoreRead, request: object, options: CallOptions = {}): Promise<T> {
    return requestData(this.nc, this.subjects.storeRead(what), request, { timeoutMs: this.options.timeoutMs, traceparent: options.traceparent });
  }
}
