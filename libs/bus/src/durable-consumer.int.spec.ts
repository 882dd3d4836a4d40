import { StorageType, headers as natsHeaders, type ConsumerInfo, type Msg, type NatsConnection } from 'nats';
import { connectNats } from './connection';
import {
  consumeDurable,
  ParkedHeader,
  type ConsumeDurableOptions,
  type DurableConsumer,
  type DurableErrorInfo,
} from './durable-consumer';
import { createTestStream, eventually, type TestStream } from '@takes/testing';

interface Body {
  n: number;
}

const DURABLE = 'projector';

// Jest reads testTimeout from the root config only (the int project's 120 s never applies),
// and the waits below allow up to 10 s.
jest.setTimeout(20_000);

let ts: TestStream;
let running: DurableConsumer[];
let afterStop: Array<() => Promise<unknown>>;

beforeEach(async () => {
  ts = await createTestStream();
  running = [];
  afterStop = [];
});

afterEach(async () => {
  await Promise.all(running.map((consumer) => consumer.stop()));
  for (const cleanup of afterStop) await cleanup();
  await ts.cleanup();
});

const eventSubject = () => `${ts.prefix}evt.main.x.created`;

async function publish(from: number, to: number): Promise<void> {
  const js = ts.nc.jetstream();
  for (let n = from; n <= to; n++) {
    const h = natsHeaders();
    h.set('traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
    await js.publish(eventSubject(), Buffer.from(JSON.stringify({ n })), { headers: h });
  }
}

async function start(
  options: Partial<ConsumeDurableOptions<Body>> & Pick<ConsumeDurableOptions<Body>, 'handler'>,
  nc: NatsConnection = ts.nc,
): Promise<DurableConsumer> {
  const consumer = await consumeDurable<Body>(nc, {
    stream: ts.stream,
    durable: DURABLE,
    filterSubject: `${ts.prefix}evt.main.>`,
    maxInFlight: 4,
    ackWaitMs: 1_000,
    backoff: { initialMs: 20, maxMs: 200 },
    ...options,
  });
  running.push(consumer);
  return consumer;
}

async function consumerInfo(): Promise<ConsumerInfo> {
  return (await ts.nc.jetstreamManager()).consumers.info(ts.stream, DURABLE);
}

/**
 * Resolves once nothing is pending or unacked on the consumer: from then on the server
 * has nothing it could deliver (again), so what the handlers saw is final. This is what
 * the tests wait for before asserting that something did not happen (no redelivery,
 * nothing more handled), instead of sleeping and seeing nothing.
 */
async function waitUntilDrained(): Promise<ConsumerInfo> {
  let info = await consumerInfo();
  await waitFor(async () => {
    info = await consumerInfo();
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 'the consumer to have nothing pending or unacked');
  return info;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    if (!(await condition())) throw new Error(`timed out waiting for ${what}`);
  }, timeoutMs, 20);
}

/**
 * A handler's own work taking `ms` (the consumer must cope with slow handlers). Used
 * inside handlers only: it is not the test waiting for something to have happened.
 */
const slowWork = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

describe('consumeDurable', () => {
  it('handles and acks every message exactly once', async () => {
    await publish(1, 30);
    const seen: Array<{ n: number; seq: number; subject: string; redeliveryCount: number; traceparent?: string }> = [];
    await start({
      handler: async (msg) => {
        seen.push({
          n: msg.data.n,
          seq: msg.seq,
          subject: msg.subject,
          redeliveryCount: msg.redeliveryCount,
          traceparent: msg.headers?.get('traceparent'),
        });
      },
    });

    await waitFor(() => seen.length >= 30, '30 handled messages');
    const info = await waitUntilDrained();

    expect(sorted(seen.map((m) => m.n))).toEqual(range(1, 30));
    expect(sorted(seen.map((m) => m.seq))).toEqual(range(1, 30));
    expect(seen.every((m) => m.subject === eventSubject() && m.redeliveryCount === 0)).toBe(true);
    expect(seen[0].traceparent).toMatch(/^00-a{32}-b{16}-01$/);
    expect(info.ack_floor.stream_seq).toBe(30);
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(30); // every delivery the server made: none twice
    expect(info.config).toMatchObject({ ack_policy: 'explicit', max_deliver: -1, max_ack_pending: 4 });
  });

  it('never runs more than maxInFlight handlers at once', async () => {
    await publish(1, 20);
    let active = 0;
    let maxActive = 0;
    const handled: number[] = [];
    await start({
      maxInFlight: 3,
      handler: async (msg) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await slowWork(40);
        active -= 1;
        handled.push(msg.data.n);
      },
    });

    await waitFor(() => handled.length >= 20, '20 handled messages');
    const info = await waitUntilDrained();

    expect(maxActive).toBe(3); // bounded, and the bound is actually used
    expect(sorted(handled)).toEqual(range(1, 20));
    expect(info.config.max_ack_pending).toBe(3);
  });

  it('keeps a message while its handler runs longer than ackWait', async () => {
    await publish(1, 2);
    const started: number[] = [];
    const handled: number[] = [];
    await start({
      maxInFlight: 2,
      ackWaitMs: 1_000,
      handler: async (msg) => {
        started.push(msg.data.n);
        await slowWork(2_500); // longer than ackWait: the consumer must keep the message meanwhile
        handled.push(msg.data.n);
      },
    });

    await waitFor(() => handled.length >= 2, 'both slow messages');
    const info = await waitUntilDrained();

    expect(sorted(started)).toEqual([1, 2]);
    expect(info.num_redelivered).toBe(0);
  });

  it('redelivers a message whose handler failed, skipping nothing', async () => {
    await publish(1, 10);
    const deliveries = new Map<number, number[]>();
    const succeeded: number[] = [];
    const errors: DurableErrorInfo[] = [];
    await start({
      maxInFlight: 2,
      onError: (_error, info) => errors.push(info),
      handler: async (msg) => {
        const n = msg.data.n;
        deliveries.set(n, [...(deliveries.get(n) ?? []), msg.redeliveryCount]);
        if (n === 4 && msg.redeliveryCount < 2) throw new Error('not yet');
        // Without parking there is no limit: six failures are retried like two.
        if (n === 7 && msg.redeliveryCount < 6) throw new Error('still not yet');
        succeeded.push(n);
      },
    });

    await waitFor(() => succeeded.length >= 10, 'all 10 messages to succeed');
    await waitUntilDrained();

    expect(sorted(succeeded)).toEqual(range(1, 10));
    expect(deliveries.get(4)).toEqual([0, 1, 2]);
    expect(deliveries.get(7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const n of [1, 2, 3, 5, 6, 8, 9, 10]) expect(deliveries.get(n)).toEqual([0]);
    expect(errors.filter((e) => e.stage === 'handler' && e.seq === 4).map((e) => e.retryInMs)).toEqual([20, 40]);
  });

  it('parks a message that keeps failing and goes on with the next ones', async () => {
    const parkSubject = `${ts.prefix}parked.${DURABLE}`;
    const parked: Msg[] = [];
    const sub = ts.nc.subscribe(parkSubject, { callback: (_error, msg) => parked.push(msg) });
    await ts.nc.flush();
    await publish(1, 8);
    const deliveries: number[] = [];
    const succeeded: number[] = [];
    await start({
      maxInFlight: 1, // the failing message holds the only slot until it is parked
      park: { afterAttempts: 3, subject: parkSubject },
      handler: async (msg) => {
        if (msg.data.n === 2) {
          deliveries.push(msg.redeliveryCount);
          throw new Error('cannot project 2\nsecond line');
        }
        succeeded.push(msg.data.n);
      },
    });

    await waitFor(() => succeeded.length >= 7 && parked.length >= 1, 'seven successes and one parked message');
    const info = await waitUntilDrained();
    await ts.nc.flush(); // the parking publishes went over this connection: any second one has arrived
    sub.unsubscribe();

    expect(info.delivered.consumer_seq).toBe(7 + 3); // seven successes, three tries of 2, nothing after it was parked
    expect(sorted(succeeded)).toEqual([1, 3, 4, 5, 6, 7, 8]);
    expect(deliveries).toEqual([0, 1, 2]);
    expect(parked).toHaveLength(1);
    const [msg] = parked;
    expect(JSON.parse(Buffer.from(msg.data).toString('utf8'))).toEqual({ n: 2 });
    expect(msg.headers?.get(ParkedHeader.SUBJECT)).toBe(eventSubject());
    expect(msg.headers?.get(ParkedHeader.STREAM)).toBe(ts.stream);
    expect(msg.headers?.get(ParkedHeader.SEQ)).toBe('2');
    expect(msg.headers?.get(ParkedHeader.CONSUMER)).toBe(DURABLE);
    expect(msg.headers?.get(ParkedHeader.DELIVERIES)).toBe('3');
    expect(msg.headers?.get(ParkedHeader.ERROR)).toBe('cannot project 2 second line');
    expect(msg.headers?.get('traceparent')).toMatch(/^00-a{32}/);
  });

  it('parks through JetStream, and keeps retrying while no stream takes the parked message', async () => {
    const parkSubject = `${ts.prefix}parked.${DURABLE}`;
    const parkStream = `PARKED_${ts.prefix.slice(0, -1)}`;
    const jsm = await ts.nc.jetstreamManager();
    afterStop.push(() => jsm.streams.delete(parkStream).catch(() => undefined));
    await publish(1, 3);
    const parkErrors: DurableErrorInfo[] = [];
    const succeeded: number[] = [];
    await start({
      park: { afterAttempts: 2, subject: parkSubject, jetstream: true },
      onError: (_error, info) => {
        if (info.stage === 'park') parkErrors.push(info);
      },
      handler: async (msg) => {
        if (msg.data.n === 1) throw new Error('always fails');
        succeeded.push(msg.data.n);
      },
    });

    await waitFor(() => parkErrors.length >= 2, 'parking to fail twice while no stream captures the subject');
    expect(parkErrors[0]).toMatchObject({ seq: 1, retryInMs: expect.any(Number) });
    await jsm.streams.add({ name: parkStream, subjects: [`${ts.prefix}parked.>`], storage: StorageType.Memory });
    await waitFor(async () => (await jsm.streams.info(parkStream)).state.messages === 1, 'the parked message in its stream');
    await waitUntilDrained();

    expect(sorted(succeeded)).toEqual([2, 3]);
    const stored = await jsm.streams.getMessage(parkStream, { seq: 1 });
    expect(stored.json()).toEqual({ n: 1 });
    expect(stored.header.get(ParkedHeader.SEQ)).toBe('1');
    expect(stored.header.get(ParkedHeader.ERROR)).toBe('always fails');
  });

  it('resumes after stop() without handling acked messages again', async () => {
    await publish(1, 10);
    let active = 0;
    const startedByFirst: number[] = [];
    const handledByFirst: number[] = [];
    const first = await start({
      maxInFlight: 2,
      handler: async (msg) => {
        active += 1;
        startedByFirst.push(msg.data.n);
        await slowWork(msg.data.n === 4 ? 500 : 30);
        handledByFirst.push(msg.data.n);
        active -= 1;
      },
    });

    await waitFor(() => startedByFirst.includes(4), 'the first consumer to start the slow message');
    await first.stop();
    expect(active).toBe(0); // stop() waited for the running handlers...
    expect(handledByFirst).toContain(4);
    const handledAtStop = handledByFirst.length;
    expect(handledAtStop).toBeLessThan(10);

    await publish(11, 20);
    const handledBySecond: number[] = [];
    await start({ maxInFlight: 2, handler: async (msg) => void handledBySecond.push(msg.data.n) });

    await waitFor(
      () => handledByFirst.length + handledBySecond.length >= 20,
      'the second consumer to handle the rest',
    );
    await waitUntilDrained();

    // The second consumer has handled everything, including what was published after the
    // first stopped: the first handled nothing more after stop() (and nothing twice).
    expect(handledByFirst).toHaveLength(handledAtStop);
    expect(sorted([...handledByFirst, ...handledBySecond])).toEqual(range(1, 20));
    expect(handledBySecond.some((n) => handledByFirst.includes(n))).toBe(false);
  });

  it('shares one durable between two connections, each message handled by one of them', async () => {
    const otherNc = await connectNats({ url: ts.url, name: `${ts.prefix}second` });
    afterStop.push(() => otherNc.drain().catch(() => undefined));
    await publish(1, 40);
    const byFirst: number[] = [];
    const bySecond: number[] = [];
    const slowly = (into: number[]) => async (msg: { data: Body }) => {
      await slowWork(20);
      into.push(msg.data.n);
    };
    await start({ handler: slowly(byFirst) });
    await start({ handler: slowly(bySecond) }, otherNc);

    await waitFor(() => byFirst.length + bySecond.length >= 40, '40 handled messages');
    await waitUntilDrained();

    expect(sorted([...byFirst, ...bySecond])).toEqual(range(1, 40));
    expect(byFirst.length).toBeGreaterThan(0);
    expect(bySecond.length).toBeGreaterThan(0);
  });

  it('starts a new consumer after a given stream sequence, on the whole stream when no filter is given', async () => {
    await publish(1, 5);
    const handled: number[] = [];
    await start({
      filterSubject: undefined,
      deliverPolicy: { afterSeq: 3 },
      handler: async (msg) => void handled.push(msg.seq),
    });

    await waitFor(() => handled.length >= 2, 'two messages');
    const info = await waitUntilDrained();

    expect(handled).toEqual([4, 5]);
    expect(info.delivered.consumer_seq).toBe(2); // nothing before seq 4 was delivered at all
    expect(info.config.filter_subject ?? '').toBe('');
  });

  it('reuses an existing durable, updating its limits but refusing another filter', async () => {
    const first = await start({ handler: async () => undefined });
    await first.stop();

    await start({ maxInFlight: 7, ackWaitMs: 2_000, handler: async () => undefined });
    const info = await consumerInfo();
    expect(info.config.max_ack_pending).toBe(7);
    expect(info.config.ack_wait).toBe(2_000_000_000);

    await expect(
      consumeDurable(ts.nc, {
        stream: ts.stream,
        durable: DURABLE,
        filterSubject: `${ts.prefix}evt.other.>`,
        maxInFlight: 1,
        ackWaitMs: 1_000,
        handler: async () => undefined,
      }),
    ).rejects.toThrow(/filters/);
  });
});
