import type { Pool } from 'pg';
import { ErrorCode, type AppendResult, type Reply } from '@takes/contracts';
import { isRetryableTransactionError, isUnavailableError } from '@takes/db';
import { appendBatch, type AppendDeps } from './append-batch';
import { commandKey, type AppendRequest } from './append-request';

export interface GroupCommitOptions {
  /** Most commands in one transaction. */
  maxBatch: number;
  /** Transactions in flight at once (each holds one pooled connection). */
  lanes: number;
  /** Commands waiting beyond this are refused at once with UNAVAILABLE. */
  maxQueued: number;
  /** A command that waited this long in the queue is refused with UNAVAILABLE (ms). */
  queueTimeoutMs: number;
}

export interface GroupCommitHooks {
  onBatch?(size: number, ms: number): void;
  onError?(error: unknown, size: number): void;
}

const unavailable = (message: string): Reply<AppendResult> => ({ error: { code: ErrorCode.UNAVAILABLE, message } });
const internal = (): Reply<AppendResult> => ({ error: { code: ErrorCode.INTERNAL_ERROR, message: 'append failed' } });

/**
 * Group commit: commands that arrive while a transaction is running wait in a queue and
 * go into the next one together, so many appends share one commit (one WAL flush and
 * one turn of the global position lock). A single command never waits for a batch to
 * fill: an idle lane takes whatever is queued at once.
 */
export class GroupCommitter {
  private queue: AppendRequest[] = [];
  private running = 0;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly deps: AppendDeps,
    private readonly options: GroupCommitOptions,
    private readonly hooks: GroupCommitHooks = {},
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  submit(request: Omit<AppendRequest, 'resolve' | 'queuedAt'>): Promise<Reply<AppendResult>> {
    if (this.closed) return Promise.resolve(unavailable('event store is shutting down'));
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.resolve(unavailable('event store is at capacity, retry with the same command id'));
    }
    return new Promise((resolve) => {
      this.queue.push({ ...request, queuedAt: Date.now(), resolve });
      this.pump();
    });
  }

  /** Stops taking commands; waits for running transactions. */
  async close(): Promise<void> {
    this.closed = true;
    for (const request of this.queue.splice(0)) request.resolve(unavailable('event store is shutting down'));
    while (this.running > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private pump(): void {
    while (this.running < this.options.lanes && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) continue;
      this.running += 1;
      void this.run(batch).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  /** Takes up to maxBatch commands; a repeated command id waits for the next batch. */
  private takeBatch(): AppendRequest[] {
    const now = Date.now();
    const batch: AppendRequest[] = [];
    const keys = new Set<string>();
    const rest: AppendRequest[] = [];
    for (const request of this.queue) {
      if (now - request.queuedAt > this.options.queueTimeoutMs) {
        request.resolve(unavailable('waited too long for the event store, retry with the same command id'));
        continue;
      }
      const key = commandKey(request.command);
      if (batch.length < this.options.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(request);
      } else {
        rest.push(request);
      }
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: AppendRequest[]): Promise<void> {
    const started = Date.now();
    try {
      const replies = await this.transaction(batch);
      this.hooks.onBatch?.(batch.length, Date.now() - started);
      batch.forEach((request, i) => request.resolve(replies[i]));
      return;
    } catch (error) {
      if (isUnavailableError(error)) {
        for (const request of batch) request.resolve(unavailable('PostgreSQL is unavailable, retry with the same command id'));
        return;
      }
      this.hooks.onError?.(error, batch.length);
      if (batch.length === 1 && !isRetryableTransactionError(error)) {
        batch[0].resolve(internal());
        return;
      }
    }
    // The shared transaction failed (deadlock, serialization, a constraint): each member
    // is tried again on its own, so one bad member cannot sink the others.
    for (const request of batch) request.resolve(await this.alone(request));
  }

  private async alone(request: AppendRequest): Promise<Reply<AppendResult>> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const [reply] = await this.transaction([request]);
        return reply;
      } catch (error) {
        if (isUnavailableError(error)) return unavailable('PostgreSQL is unavailable, retry with the same command id');
        if (!isRetryableTransactionError(error) || attempt >= 3) {
          this.hooks.onError?.(error, 1);
          return internal();
        }
      }
    }
  }

  private async transaction(batch: AppendRequest[]): Promise<Reply<AppendResult>[]> {
    const conn = await this.pool.connect();
    let broken = false;
    try {
      return await appendBatch(conn, batch, this.deps);
    } catch (error) {
      broken = isUnavailableError(error);
      throw error;
    } finally {
      conn.release(broken);
    }
  }
}
