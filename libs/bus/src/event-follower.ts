import type { NatsConnection } from 'nats';
import type { TakesEvent } from '@takes/contracts';
import { BatchConsumer } from './batch-consumer';

export interface EventFollowerOptions {
  nc: NatsConnection;
  stream: string;
  durable: string;
  filterSubject: string;
  batchSize: number;
  /** The last position this reader applied (its watermark, kept with its effects). */
  watermark(): Promise<number>;
  /** Events after a position from the event store (the store's `store.read.all`). */
  readAfter(position: number, limit: number): Promise<TakesEvent[]>;
  /** Applies a batch in one transaction with the watermark; must skip events it already applied. */
  apply(events: TakesEvent[]): Promise<void>;
  /** A read (`read`) or a batch (`apply`) failed and will be tried again. */
  onRetry?(error: unknown, attempt: number, stage: 'read' | 'apply'): void;
  /** The store has nothing more after the watermark; JetStream's batches follow. */
  onCaughtUp?(): void;
  /** The stream does not exist yet (the event store makes it); the follower waits for it. */
  onWaitingForStream?(stream: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows every event in position order for a reader that keeps a watermark: it opens
 * its durable JetStream consumer first (new events from now on), then reads the event
 * store after its watermark until it has caught up (so events JetStream no longer keeps
 * are not missed), then applies JetStream's batches. A batch that fails is retried with
 * backoff until it applies; nothing is skipped.
 */
export class EventFollower {
  private consumer?: BatchConsumer;
  private running = true;

  constructor(private readonly options: EventFollowerOptions) {}

  async run(): Promise<void> {
    const { nc, stream, durable, filterSubject, batchSize } = this.options;
    this.consumer = new BatchConsumer(nc, { stream, durable, filterSubject, batchSize });
    await this.consumer.open(this.options.onWaitingForStream);
    if (!this.running) return;
    // The next page is read while this one is applied, so reading and applying overlap.
    let next = this.read(async () => this.options.readAfter(await this.options.watermark(), batchSize));
    for (;;) {
      const events = await next;
      if (events.length === 0) break;
      const after = events[events.length - 1].position;
      next = this.read(() => this.options.readAfter(after, batchSize));
      await this.retrying(() => this.options.apply(events), 'apply');
      if (!this.running) return;
    }
    this.options.onCaughtUp?.();
    while (this.running) {
      const batch = await this.consumer.next();
      if (!batch) break;
      await this.retrying(() => this.options.apply(batch.events), 'apply');
      batch.ack();
    }
  }

  /** A page read, retried; a rejection left unawaited (the follower stopped) is not reported as unhandled. */
  private read(work: () => Promise<TakesEvent[]>): Promise<TakesEvent[]> {
    const page = this.retrying(work, 'read');
    page.catch(() => undefined);
    return page;
  }

  stop(): void {
    this.running = false;
    this.consumer?.stop();
  }

  private async retrying<T>(work: () => Promise<T>, stage: 'read' | 'apply'): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        this.options.onRetry?.(error, attempt, stage);
        if (!this.running) throw error;
        await sleep(Math.min(30_000, 100 * 2 ** Math.min(attempt, 9)));
      }
    }
  }
}
