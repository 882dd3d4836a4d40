import { AckPolicy, DeliverPolicy, type ConsumerInfo, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import type { TakesEvent } from '@takes/contracts';
import { isNotFound } from './events-stream';

export interface BatchConsumerOptions {
  stream: string;
  durable: string;
  filterSubject: string;
  batchSize: number;
}

/** JetStream's answer for a stream that does not exist (yet). */
function isStreamMissing(error: unknown): boolean {
  const err = error as { api_error?: { err_code?: number }; message?: string };
  return err?.api_error?.err_code === 10059 || /stream not found/i.test(err?.message ?? '');
}

/**
 * Events from a durable JetStream consumer (created with deliver policy `new` and ack
 * policy `all`), handed over in batches for one reader at a time that applies them in
 * order: whatever has arrived (up to batchSize) goes into the next batch as soon as the
 * previous one is done, so a trickle is applied at once and a flood in large
 * transactions. A batch is acknowledged only after it committed, by one ack of its last
 * message (ack policy `all` acks everything before it too), not one ack per event; a
 * crash means redelivery, which the reader must skip (it keeps a watermark).
 *
 * Only for readers that read the event store after opening the consumer (EventFollower):
 * a consumer made with explicit acks by an earlier version is replaced on open, and the
 * events published meanwhile come from the store.
 */
export class BatchConsumer {
  private messages?: ConsumerMessages;
  private queue: JsMsg[] = [];
  private waiting?: () => void;
  private stopped = false;

  constructor(private readonly nc: NatsConnection, private readonly options: BatchConsumerOptions) {}

  /**
   * Creates the durable consumer if needed. New consumers start with events published from
   * now on: older ones come from the store. Until the event store has made the stream
   * (services start side by side, the store may be later), it waits for it, saying so
   * once through `onWaiting`, instead of failing.
   */
  async open(onWaiting?: (stream: string) => void): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    for (let said = false; !this.stopped; said = true) {
      try {
        await jsm.streams.info(this.options.stream);
        break;
      } catch (error) {
        if (!isStreamMissing(error)) throw error;
        if (!said) onWaiting?.(this.options.stream);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    if (this.stopped) return;
    let existing: ConsumerInfo | undefined;
    try {
      existing = await jsm.consumers.info(this.options.stream, this.options.durable);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (existing && existing.config.ack_policy !== AckPolicy.All) {
      await jsm.consumers.delete(this.options.stream, this.options.durable);
      existing = undefined;
    }
    if (!existing) {
      await jsm.consumers.add(this.options.stream, {
        durable_name: this.options.durable,
        ack_policy: AckPolicy.All,
        deliver_policy: DeliverPolicy.New,
        filter_subject: this.options.filterSubject,
        max_ack_pending: this.options.batchSize * 4,
        ack_wait: 60_000_000_000,
      });
    }
    const consumer = await this.nc.jetstream().consumers.get(this.options.stream, this.options.durable);
    this.messages = await consumer.consume({ max_messages: this.options.batchSize * 2 });
    void (async () => {
      for await (const message of this.messages!) {
        this.queue.push(message);
        this.waiting?.();
      }
    })();
  }

  /** The next batch (waits until at least one event is there, or the feed stops). */
  async next(): Promise<{ events: TakesEvent[]; ack(): void } | null> {
    while (this.queue.length === 0 && !this.stopped) {
      // Woken by the next message or by stop; the timer is only a safety net, cleared on
      // wake (otherwise every wait under load would leave one behind for a second).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiting = undefined;
    }
    if (this.stopped) return null;
    const taken = this.queue.splice(0, this.options.batchSize);
    return {
      events: taken.map((m) => m.json<TakesEvent>()),
      // The newest message of the batch: a redelivered one may be older than the rest.
      ack: () => taken.reduce((newest, m) => (m.seq > newest.seq ? m : newest)).ack(),
    };
  }

  stop(): void {
    this.stopped = true;
    this.messages?.stop();
    this.waiting?.();
  }
}
