import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  headers as natsHeaders,
  nanos,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';
import { isNotFound } from './events-stream';

/** One stream message as a handler sees it. */
export interface DurableMessage<T = unknown> {
  /** The subject the message was published on. */
  subject: string;
  /** The body, parsed as JSON (not validated: check it against its schema). */
  data: T;
  /** The message's NATS headers (traceparent, Nats-Msg-Id, ...), if any. */
  headers: MsgHdrs | undefined;
  /** How many times it was delivered before this delivery: 0 the first time. */
  redeliveryCount: number;
  /** Its sequence number in the stream. */
  seq: number;
}

/** Where something went wrong, for logs. */
export interface DurableErrorInfo {
  /** 'handler' (or unparsable JSON), 'park', or 'pull' (the consumer itself). */
  stage: 'handler' | 'park' | 'pull';
  subject?: string;
  seq?: number;
  /** Deliveries so far, counting this one. */
  deliveries?: number;
  /** Set when the message will be delivered again after this delay. */
  retryInMs?: number;
}

export interface ConsumeDurableOptions<T = unknown> {
  /** The stream to read, e.g. `EVENTS`. */
  stream: string;
  /** Durable consumer name; every process using it shares its messages. */
  durable: string;
  /** Only subjects matching this (one subject, NATS 2.9); the whole stream when absent. */
  filterSubject?: string;
  /** Called once per delivery; resolving acks the message, throwing retries (or parks) it. */
  handler: (msg: DurableMessage<T>) => Promise<void>;
  /**
   * Handler calls running at once in this process, and also the consumer's
   * max_ack_pending: unacked messages across ALL processes sharing the durable.
   */
  maxInFlight: number;
  /**
   * How long the server waits for an ack before redelivering. A running handler keeps
   * its message (in-progress signals every ackWaitMs / 2), so this is the time it takes
   * for a crashed process's messages to go to another one.
   */
  ackWaitMs: number;
  /**
   * Dead-lettering. After a message's `afterAttempts`-th delivery fails, it is published
   * to `subject` with its body and headers plus the ParkedHeader ones, then terminated.
   * Without `park`, a failing message is retried forever (and holds one of maxInFlight).
   */
  park?: {
    afterAttempts: number;
    subject: string;
    /** Publish through JetStream and wait for its ack (a stream must capture `subject`). */
    jetstream?: boolean;
  };
  /** Delay before a failed message comes back: initialMs doubled per delivery up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Where a NEW consumer starts: 'all' (default) or after a stream sequence. Ignored on reuse. */
  deliverPolicy?: 'all' | { afterSeq: number };
  /** Told about every failure (handler, park, pull); never throws back into the consumer. */
  onError?: (error: unknown, info: DurableErrorInfo) => void;
}

/** A running consumer. */
export interface DurableConsumer {
  /** Stops pulling, hands back buffered messages, and resolves once running handlers have finished. */
  stop(): Promise<void>;
  /** Resolves when the consumer has ended, by stop() or by a fatal pull error (given to onError). */
  readonly closed: Promise<void>;
}

/** Headers a parked message carries besides its own. */
export const ParkedHeader = {
  SUBJECT: 'Takes-Parked-Subject',
  STREAM: 'Takes-Parked-Stream',
  SEQ: 'Takes-Parked-Seq',
  CONSUMER: 'Takes-Parked-Consumer',
  DELIVERIES: 'Takes-Parked-Deliveries',
  ERROR: 'Takes-Parked-Error',
} as const;

const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 30_000 } as const;

/**
 * Handles a stream's messages through a durable pull consumer, created if missing (explicit
 * acks, max_deliver -1) or reused. At-least-once: a message is acked only after its handler
 * resolved; processes that crash or stop leave their messages to the others.
 *
 * Who uses it: the webhooks service (issue "services/webhooks") and other external
 * subscribers, the consumers that may park a message after N failures on
 * `parked.<consumer>`. The projector and the review queue never park or skip an event, so
 * they follow the stream with EventFollower instead (catch-up from the store, then
 * JetStream). It is kept, with its own int suite, for the webhooks service.
 */
export async function consumeDurable<T = unknown>(
  nc: NatsConnection,
  options: ConsumeDurableOptions<T>,
): Promise<DurableConsumer> {
  validate(options);
  await ensureDurableConsumer(await nc.jetstreamManager(), options);
  const js = nc.jetstream();
  const consumer = await js.consumers.get(options.stream, options.durable);
  const messages = await consumer.consume({ max_messages: options.maxInFlight });
  const onError = safe(options.onError);
  void reportStatus(messages, onError).catch(() => undefined);
  const context: Context<T> = { nc, js, options, onError };

  const running = new Set<Promise<void>>();
  let stopping = false;
  const closed = (async () => {
    try {
      for await (const msg of messages) {
        while (!stopping && running.size >= options.maxInFlight) await Promise.race(running);
        if (stopping) {
          msg.nak(); // pulled but not started: let another process have it now
          continue;
        }
        const run = handle(context, msg).finally(() => running.delete(run));
        running.add(run);
      }
    } catch (error) {
      onError(error, { stage: 'pull' });
    }
    await Promise.all(running);
  })();

  return {
    closed,
    stop: async () => {
      stopping = true;
      await messages.close().catch(() => undefined);
      await closed;
    },
  };
}

/**
 * Creates the durable consumer, or checks and updates an existing one (ack wait, max ack
 * pending, max deliver). A different filter subject is refused: NATS 2.9 cannot change it.
 */
async function ensureDurableConsumer(
  jsm: JetStreamManager,
  options: Pick<ConsumeDurableOptions, 'stream' | 'durable' | 'filterSubject' | 'maxInFlight' | 'ackWaitMs' | 'deliverPolicy'>,
): Promise<ConsumerInfo> {
  const wanted = { ack_wait: nanos(options.ackWaitMs), max_ack_pending: options.maxInFlight, max_deliver: -1 };
  let existing: ConsumerInfo;
  try {
    existing = await jsm.consumers.info(options.stream, options.durable);
  } catch (error) {
    if (!isNotFound(error) || /stream not found/i.test(String((error as Error).message))) throw error;
    const start = options.deliverPolicy ?? 'all';
    const config: Partial<ConsumerConfig> = {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      ...wanted,
      ...(options.filterSubject ? { filter_subject: options.filterSubject } : {}),
      ...(start === 'all'
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.afterSeq + 1 }),
    };
    // Processes starting together send the same config; the server treats that as one create.
    return jsm.consumers.add(options.stream, config);
  }
  const { config } = existing;
  if ((config.filter_subject || undefined) !== (options.filterSubject || undefined)) {
    throw new Error(
      `consumer ${options.durable} on ${options.stream} filters "${config.filter_subject ?? ''}", not "${options.filterSubject ?? ''}"`,
    );
  }
  if (config.ack_policy !== AckPolicy.Explicit || config.deliver_subject) {
    throw new Error(`consumer ${options.durable} on ${options.stream} is not a pull consumer with explicit acks`);
  }
  const changed =
    config.ack_wait !== wanted.ack_wait ||
    config.max_ack_pending !== wanted.max_ack_pending ||
    config.max_deliver !== wanted.max_deliver;
  return changed ? jsm.consumers.update(options.stream, options.durable, wanted) : existing;
}

interface Context<T> {
  nc: NatsConnection;
  js: JetStreamClient;
  options: ConsumeDurableOptions<T>;
  onError: (error: unknown, info: DurableErrorInfo) => void;
}

/** Runs the handler for one delivery, then acks, naks with a delay, or parks the message. */
async function handle<T>(context: Context<T>, msg: JsMsg): Promise<void> {
  const { options, onError } = context;
  const deliveries = msg.info.deliveryCount;
  const where = { subject: msg.subject, seq: msg.seq, deliveries };
  const keepAlive = setInterval(() => msg.working(), Math.max(1, Math.floor(options.ackWaitMs / 2)));
  try {
    let data: T;
    try {
      data = msg.json<T>();
    } catch {
      throw new Error(`message ${msg.seq} on ${msg.subject} is not JSON`);
    }
    await options.handler({ subject: msg.subject, data, headers: msg.headers, redeliveryCount: deliveries - 1, seq: msg.seq });
  } catch (error) {
    if (options.park && deliveries >= options.park.afterAttempts) {
      onError(error, { stage: 'handler', ...where });
      await park(context, msg, options.park, error);
      return;
    }
    const retryInMs = backoffDelay(options.backoff ?? DEFAULT_BACKOFF, deliveries);
    onError(error, { stage: 'handler', ...where, retryInMs });
    msg.nak(retryInMs);
    return;
  } finally {
    clearInterval(keepAlive);
  }
  // A plain ack (no answer awaited): one message instead of a request and its reply per
  // event. One that is lost (the connection drops first) is redelivered after ack wait:
  // at-least-once, never lost; the handlers are idempotent.
  msg.ack();
}

/** Publishes a copy of the message to the park subject, then terminates it; retries later if publishing fails. */
async function park<T>(
  context: Context<T>,
  msg: JsMsg,
  spec: NonNullable<ConsumeDurableOptions['park']>,
  lastError: unknown,
): Promise<void> {
  const { nc, js, options, onError } = context;
  const deliveries = msg.info.deliveryCount;
  const h = natsHeaders();
  for (const [key, values] of msg.headers ?? []) {
    if (key.toLowerCase().startsWith('nats-')) continue; // Nats-Msg-Id and friends mean something to JetStream
    for (const value of values) h.append(key, value);
  }
  h.set(ParkedHeader.SUBJECT, msg.subject);
  h.set(ParkedHeader.STREAM, options.stream);
  h.set(ParkedHeader.SEQ, String(msg.seq));
  h.set(ParkedHeader.CONSUMER, options.durable);
  h.set(ParkedHeader.DELIVERIES, String(deliveries));
  h.set(ParkedHeader.ERROR, headerSafe(lastError instanceof Error ? lastError.message : String(lastError)));
  try {
    if (spec.jetstream) {
      await js.publish(spec.subject, msg.data, { headers: h, msgID: `${options.stream}.${options.durable}.${msg.seq}` });
    } else {
      nc.publish(spec.subject, msg.data, { headers: h });
      await nc.flush();
    }
  } catch (error) {
    const retryInMs = backoffDelay(options.backoff ?? DEFAULT_BACKOFF, deliveries);
    onError(error, { stage: 'park', subject: msg.subject, seq: msg.seq, deliveries, retryInMs });
    msg.nak(retryInMs);
    return;
  }
  msg.term();
}

/** Exponential delay for the n-th delivery (1-based): initialMs, 2×, 4×, ... capped at maxMs. */
function backoffDelay(backoff: { initialMs: number; maxMs: number }, deliveries: number): number {
  const exponent = Math.min(Math.max(deliveries - 1, 0), 30);
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
}

async function reportStatus(messages: ConsumerMessages, onError: (error: unknown, info: DurableErrorInfo) => void) {
  const notable = new Set<string>([
    ConsumerEvents.HeartbeatsMissed,
    ConsumerEvents.ConsumerNotFound,
    ConsumerEvents.StreamNotFound,
    ConsumerEvents.ConsumerDeleted,
    ConsumerEvents.NoResponders,
  ]);
  for await (const status of await messages.status()) {
    if (notable.has(status.type)) onError(new Error(`${status.type}: ${String(status.data)}`), { stage: 'pull' });
  }
}

function validate(options: Pick<ConsumeDurableOptions, 'maxInFlight' | 'ackWaitMs' | 'park'>): void {
  if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
    throw new Error(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
  }
  if (!(options.ackWaitMs >= 10)) throw new Error(`ackWaitMs must be at least 10, got ${options.ackWaitMs}`);
  if (options.park && !(Number.isInteger(options.park.afterAttempts) && options.park.afterAttempts >= 1)) {
    throw new Error(`park.afterAttempts must be a positive integer, got ${options.park.afterAttempts}`);
  }
}

function safe(onError: ConsumeDurableOptions['onError']): (error: unknown, info: DurableErrorInfo) => void {
  return (error, info) => {
    try {
      onError?.(error, info);
    } catch {
      // a failing logger must not stop the consumer
    }
  };
}

function headerSafe(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').slice(0, 1024);
}
