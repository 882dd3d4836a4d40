import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { connectNats, DEFAULT_NATS_URL } from './connection';
import { ensureEventsStream } from './events-stream';

export interface TestStream {
  /** NATS URL the suite should use. */
  url: string;
  /** Subject prefix of this suite, e.g. `t1a2b3c4.` (put before `evt`, `cmd`, ...). */
  prefix: string;
  /** Stream name of this suite. */
  stream: string;
  /** A connection for the test itself. */
  nc: NatsConnection;
  /** Deletes the stream and closes the connection. */
  cleanup(): Promise<void>;
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
    cleanup: async () => {
      await jsm.streams.delete(stream).catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}
