import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { connectNats, DEFAULT_NATS_URL, ensureEventsStream } from '@takes/bus';

export interface TestStream {
  /** NATS URL the suite should use. */
  url: string;
  /** Subject prefix of this suite, e.g. `t1a2b3c4.` (put before `evt`, `cmd`, ...). */
  prefix: string;
  /** Stream name of this suite. */
  stream: string;
  /** A connection for the test itself. */
  nc: NatsConnection;
  /** Every message the stream holds, in stream order, with its headers. */
  messages(): Promise<StreamMessageView[]>;
  /**
   * Whether JetStream has forgotten a message id (the duplicate window has passed for it),
   * asked without storing anything: a probe with that id and an expected last sequence
   * that cannot match is answered "duplicate" while the id is remembered, and refused
   * ("wrong last sequence") once it is not. `subject` must be one the stream captures.
   */
  forgotMessageId(msgId: string, subject: string): Promise<boolean>;
  /** Deletes the stream and closes the connection. */
  cleanup(): Promise<void>;
}

export interface StreamMessageView {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  body: unknown;
}

interface StartedNats {
  getConnectionOptions(): { servers: string };
  stop(): Promise<unknown>;
}

let container: Promise<StartedNats> | undefined;

async function natsUrl(): Promise<string> {
  if (process.env.TAKES_TEST_CONTAINERS === '1') {
    container ??= (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { NatsContainer } = require('@testcontainers/nats');
      return (await new NatsContainer('nats:2.9').withJetStream().start()) as StartedNats;
    })();
    return `nats://${(await container).getConnectionOptions().servers}`;
  }
  return process.env.TAKES_TEST_NATS_URL ?? process.env.TAKES_NATS_URL ?? DEFAULT_NATS_URL;
}

/**
 * A stream and subject prefix for one suite: streams may not overlap, so each suite's
 * subjects start with its own token (`t<hex>.evt.>`). The stream is created here with a
 * short max age; pass `create: false` to let the code under test create it.
 */
export async function createTestStream(
  options: { create?: boolean; duplicateWindowMs?: number } = {},
): Promise<TestStream> {
  const url = await natsUrl();
  const token = `t${randomBytes(4).toString('hex')}`;
  const prefix = `${token}.`;
  const stream = `EVENTS_${token}`;
  const nc = await connectNats({ url, name: `test-${token}` });
  const jsm = await nc.jetstreamManager();
  if (options.create !== false) {
    await ensureEventsStream(jsm, {
      name: stream,
      subjectPrefix: prefix,
      maxAgeMs: 60 * 60_000,
      duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
    });
  }
  return {
    url,
    prefix,
    stream,
    nc,
    messages: async () => {
      const info = await jsm.streams.info(stream);
      const seqs = Array.from({ length: info.state.last_seq - info.state.first_seq + 1 }, (_, i) => info.state.first_seq + i);
      if (info.state.messages === 0) return [];
      const out: StreamMessageView[] = [];
      for (let i = 0; i < seqs.length; i += 64) {
        const page = await Promise.all(
          seqs.slice(i, i + 64).map(async (seq) => {
            const m = await jsm.streams.getMessage(stream, { seq });
            const headers: Record<string, string> = {};
            for (const [key] of m.header ?? []) headers[key] = m.header.get(key);
            return { seq: m.seq, subject: m.subject, headers, body: JSON.parse(Buffer.from(m.data).toString('utf8')) };
          }),
        );
        out.push(...page);
      }
      return out;
    },
    forgotMessageId: async (msgId, subject) => {
      const { state } = await jsm.streams.info(stream);
      try {
        const ack = await nc.jetstream().publish(subject, Buffer.from('{}'), { msgID: msgId, expect: { lastSequence: state.last_seq + 1_000_000 } });
        if (ack.duplicate) return false;
        throw new Error(`the probe for ${msgId} was stored at ${ack.seq}`);
      } catch (error) {
        if ((error as { api_error?: { err_code?: number } }).api_error?.err_code === 10071) return true; // wrong last sequence
        throw error;
      }
    },
    cleanup: async () => {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}
