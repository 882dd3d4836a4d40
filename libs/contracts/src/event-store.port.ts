import type { AppendCommand, AppendResult } from './command';
import type {
  CommandSeen,
  MetaItemView,
  PositionPage,
  ReadAllRequest,
  ReadCommandRequest,
  ReadHeadRequest,
  MetaItems,
  ReadMetaRequest,
  ReadStateRequest,
  ReadStreamRequest,
  RecordStateView,
  StreamHeadView,
  StreamPage,
} from './reads';

/** What every call of a port may carry besides its request. */
export interface CallOptions {
  /** W3C trace context of the work this call is part of; a new trace when absent. */
  traceparent?: string;
}

/** Injection token of the `EventStore` port (`@Inject(EVENT_STORE) store: EventStore`). */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * The event store, as every other service sees it: the one way to append to and read
 * from the source of truth. Nothing else builds a `cmd.*` or `store.read.*` subject.
 *
 * Errors, for every method: a call either resolves with its data or rejects with a
 * `TakesError` that carries the store's code and details unchanged (NOT_FOUND,
 * CONFLICT, VALIDATION_FAILED, INVALID_PAYLOAD, ...). When no store answers in time
 * (none running, a timeout, the connection lost) the code is UNAVAILABLE: the outcome
 * of an append is then unknown, and resending the same command is safe.
 */
export interface EventStore {
  /**
   * Appends the events a command decides, atomically with the stream head, unique-value
   * reservations and the command's result, and resolves once PostgreSQL has committed
   * them. The command id is unique per (app, user): the same command sent again appends
   * nothing and resolves with the first result; the same id with a different body is
   * VALIDATION_FAILED (422). A stale edit is merged or shelved as the entity's policy says
   * (the result's `outcome`); a taken unique value, a failing `test` op or a stale write
   * the policy refuses is CONFLICT. Rejections are not remembered: a retry is judged again.
   */
  append(command: AppendCommand, options?: CallOptions): Promise<AppendResult>;

  /**
   * One page of a record's events in version order (gapless), from `from_version`
   * (default 1), at most `limit` (default 100, at most 1000). A record with no events
   * is an empty page, not an error. `next_version` is where the next page starts.
   */
  readStream(request: ReadStreamRequest, options?: CallOptions): Promise<StreamPage>;

  /**
   * Events after a global position (and up to `until_position` when given), in position
   * order, at most `limit` (default 100). Positions become visible in commit order, so
   * a reader that goes on from the last event it got never skips one (gaps left by
   * rolled-back transactions are only gaps). With `app`, only that app's events.
   * This is what catch-up and rebuilds read.
   */
  readAfter(request: ReadAllRequest, options?: CallOptions): Promise<PositionPage>;

  /**
   * A record as it was at a version, or at a time (the latest commit at or before it);
   * the head when neither is given. NOT_FOUND when the record has no such version.
   */
  stateAt(request: ReadStateRequest, options?: CallOptions): Promise<RecordStateView>;

  /** The head of a record's stream: its version, state, deleted flag, last commit. NOT_FOUND when it has none. */
  head(request: ReadHeadRequest, options?: CallOptions): Promise<StreamHeadView>;

  /** The last committed global position (0 when empty): a read that waits for it sees every write made so far. */
  lastPosition(options?: CallOptions): Promise<number>;

  /** Whether a command id was appended for this app and user (accepted results only; rejections are not kept). */
  command(request: ReadCommandRequest, options?: CallOptions): Promise<CommandSeen>;

  /**
   * Every metadata item (`_meta` record) of one app, or of every app, removed ones
   * included, in position order: what a service's metadata registry starts from.
   */
  readMeta(request: ReadMetaRequest, options?: CallOptions): Promise<MetaItemView[]>;

  /** The same read with the store's last position it covers (see MetaItems). */
  readMetaAt(request: ReadMetaRequest, options?: CallOptions): Promise<MetaItems>;
}
