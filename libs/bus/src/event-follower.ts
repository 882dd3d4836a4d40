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
  onRetry?(error: unknown, attempt: number): void;
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
    await this.consumer.open();
    for (;;) {
      if (!this.running) return;
      const events = await this.retrying(async () => this.options.readAfter(await this.options.watermark(), batchSize));
      if (events.length === 0) break;
      await this.retrying(() => this.options.apply(events));
    }
    while (this.running) {
      const batch = await this.consumer.next();
      if (!batch) break;
      await this.retrying(() => this.options.apply(batch.events));
      batch.ack();
    }
  }

  stop(): void {
    this.running = false;
    this.consumer?.stop();
  }

  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        this.options.onRetry?.(error, attempt);
        if (!this.running) throw error;
        await sleep(Math.min(30_000, 100 * 2 ** Math.min(attempt, 9)));
      }
    }
  }
}
