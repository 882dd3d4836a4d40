import { createInbox, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

const decoder = new TextDecoder();

/**
 * One message of a batch: its subject, body, headers, id and the stream sequence it must
 * follow. The id and the sequence are added to its headers (Nats-Msg-Id,
 * Nats-Expected-Last-Sequence), which are the message's own.
 */
export interface BatchMessage {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  msgId: string;
  expectedLastSequence?: number;
}

/** JetStream's answer to one message: stored at `seq` (or recognised as a duplicate), or refused and why. */
export type BatchAck = { ok: true; seq: number; duplicate: boolean } | { ok: false; error: string };

interface Waiting {
  acks: (BatchAck | undefined)[];
  left: number;
  done(): void;
}

/**
 * Publishes batches of messages to JetStream, pipelined, each answered by its own ack:
 * every message goes out as a plain PUB whose reply subject names its batch and place,
 * and one subscription takes every ack. This is what `js.publish` does per message, but
 * without a request object, a timer and an error object made for each one; a batch has
 * one timer, and whatever is unanswered when it fires is refused as timed out.
 */
export class JetStreamBatchPublisher {
  private readonly inbox = createInbox();
  private readonly waiting = new Map<number, Waiting>();
  private subscription?: Subscription;
  private nextBatch = 0;

  constructor(private readonly nc: NatsConnection) {}

  async publish(messages: BatchMessage[], timeoutMs: number): Promise<BatchAck[]> {
    if (messages.length === 0) return [];
    this.subscription ??= this.nc.subscribe(`${this.inbox}.>`, { callback: (_error, msg) => this.answer(msg.subject, msg.headers, msg.data) });
    const batch = this.nextBatch++;
    const acks = new Array<BatchAck | undefined>(messages.length);
    const finished = new Promise<void>((resolve) => this.waiting.set(batch, { acks, left: messages.length, done: resolve }));
    const timer = setTimeout(() => this.waiting.get(batch)?.done(), timeoutMs);
    try {
      messages.forEach((message, i) => {
        const { headers } = message;
        headers.set('Nats-Msg-Id', message.msgId);
        if (message.expectedLastSequence !== undefined) headers.set('Nats-Expected-Last-Sequence', String(message.expectedLastSequence));
        this.nc.publish(message.subject, message.data, { reply: `${this.inbox}.${batch}.${i}`, headers });
      });
      await finished;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(batch);
    }
    return Array.from(acks, (ack) => ack ?? { ok: false, error: `no ack from JetStream within ${timeoutMs} ms` });
  }

  /** Stops taking acks (batches still waiting end as timed out). */
  close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private answer(subject: string, headers: MsgHdrs | undefined, data: Uint8Array): void {
    const [batch, place] = subject.slice(this.inbox.length + 1).split('.').map(Number);
    const waiting = this.waiting.get(batch);
    if (!waiting || waiting.acks[place] !== undefined) return;
    waiting.acks[place] = ackOf(headers, data);
    waiting.left -= 1;
    if (waiting.left === 0) waiting.done();
  }
}

/** A PubAck (`{stream, seq, duplicate?}`), a JetStream error (`{error: {description}}`) or a status (503: nothing stores the subject). */
function ackOf(headers: MsgHdrs | undefined, data: Uint8Array): BatchAck {
  if (headers?.hasError) return { ok: false, error: `${headers.code} ${headers.description || 'no responders: no stream stores this subject'}` };
  try {
    const body = JSON.parse(decoder.decode(data)) as { seq?: number; duplicate?: boolean; error?: { description?: string; code?: number } };
    if (body.error) return { ok: false, error: body.error.description ?? `JetStream error ${body.error.code ?? ''}` };
    if (typeof body.seq !== 'number') return { ok: false, error: 'JetStream ack without a sequence' };
    return { ok: true, seq: body.seq, duplicate: body.duplicate === true };
  } catch {
    return { ok: false, error: 'JetStream ack is not JSON' };
  }
}
