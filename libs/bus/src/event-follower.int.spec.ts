import { AckPolicy, DeliverPolicy } from 'nats';
import type { TakesEvent } from '@takes/contracts';
import { createTestStream, eventually, type TestStream } from '@takes/testing';
import { ensureEventsStream } from './events-stream';
import { EventFollower } from './event-follower';

/** A service that starts before the event store has made the stream waits for it, and then follows it. */
describe('EventFollower before the stream exists', () => {
  let ts: TestStream;
  beforeEach(async () => {
    ts = await createTestStream({ create: false });
  });
  afterEach(() => ts.cleanup());

  it('waits for the stream, says so once, then applies what is published on it', async () => {
    const applied: TakesEvent[] = [];
    const waiting: string[] = [];
    const follower = new EventFollower({
      nc: ts.nc,
      stream: ts.stream,
      durable: 'late-reader',
      filterSubject: `${ts.prefix}evt.>`,
      batchSize: 10,
      watermark: async () => applied.at(-1)?.position ?? 0,
      readAfter: async () => [],
      apply: async (events) => void applied.push(...events),
      onWaitingForStream: (stream) => waiting.push(stream),
    });
    const running = follower.run();
    await eventually(async () => expect(waiting).toEqual([ts.stream]));
    const jsm = await ts.nc.jetstreamManager();
    await ensureEventsStream(jsm, { name: ts.stream, subjectPrefix: ts.prefix, maxAgeMs: 60_000, duplicateWindowMs: 1_000 });
    // The consumer exists once the follower saw the stream; publish until it has taken one.
    const event = { position: 1, app: 'main', entity: 'inspection', entity_id: 'r1', type: 'created' } as unknown as TakesEvent;
    await eventually(async () => {
      if (applied.length === 0) await ts.nc.jetstream().publish(`${ts.prefix}evt.main.inspection.created`, JSON.stringify(event));
      expect(applied.length).toBeGreaterThan(0);
    });
    expect(applied[0]).toMatchObject({ entity_id: 'r1' });
    expect(waiting).toHaveLength(1);
    follower.stop();
    await running;
  });
});

/** How the follower acknowledges: one ack per batch, on a consumer whose ack policy is `all`. */
describe('EventFollower acknowledgements', () => {
  let ts: TestStream;
  const running: { reader: EventFollower; run: Promise<void> }[] = [];
  beforeEach(async () => {
    ts = await createTestStream();
  });
  afterEach(async () => {
    for (const { reader, run } of running.splice(0)) {
      reader.stop();
      await run;
    }
    await ts.cleanup();
  });

  const eventAt = (position: number) =>
    ({ position, app: 'main', entity: 'inspection', entity_id: `r${position}`, type: 'created' }) as unknown as TakesEvent;
  const publish = (position: number) => ts.nc.jetstream().publish(`${ts.prefix}evt.main.inspection.created`, JSON.stringify(eventAt(position)));

  /** Starts a follower of the test stream; afterEach stops it. */
  function follow(durable: string, store: TakesEvent[], applied: TakesEvent[], gate: Promise<unknown> = Promise.resolve()): void {
    const reader = new EventFollower({
      nc: ts.nc,
      stream: ts.stream,
      durable,
      filterSubject: `${ts.prefix}evt.>`,
      batchSize: 10,
      watermark: async () => applied.at(-1)?.position ?? 0,
      readAfter: async (after, limit) => store.filter((e) => e.position > after).slice(0, limit),
      apply: async (events) => {
        await gate;
        applied.push(...events.filter((e) => e.position > (applied.at(-1)?.position ?? 0)));
      },
    });
    running.push({ reader, run: reader.run() });
  }

  it('acks each batch by its newest message: once every batch is applied, the consumer has nothing unacked', async () => {
    const applied: TakesEvent[] = [];
    // Batches apply only once all 25 are published, so they hold several events each.
    let open = () => undefined as void;
    follow('ack-all', [], applied, new Promise<void>((resolve) => (open = resolve)));
    const jsm = await ts.nc.jetstreamManager();
    await eventually(async () => expect((await jsm.consumers.info(ts.stream, 'ack-all')).config.ack_policy).toBe('all'));
    for (let position = 1; position <= 25; position += 1) await publish(position);
    open();
    await eventually(async () => expect(applied.map((e) => e.position)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1)));
    await eventually(async () => {
      const info = await jsm.consumers.info(ts.stream, 'ack-all');
      expect(info.num_ack_pending).toBe(0);
      expect(info.ack_floor.stream_seq).toBe(25);
    });
  });

  it('replaces a consumer an earlier version made with explicit acks; what was published meanwhile comes from the store', async () => {
    const jsm = await ts.nc.jetstreamManager();
    await jsm.consumers.add(ts.stream, {
      durable_name: 'upgraded',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      filter_subject: `${ts.prefix}evt.>`,
    });
    const store = [1, 2, 3].map(eventAt);
    for (const event of store) await publish(event.position);
    const applied: TakesEvent[] = [];
    follow('upgraded', store, applied);
    await eventually(async () => expect(applied.map((e) => e.position)).toEqual([1, 2, 3]));
    expect((await jsm.consumers.info(ts.stream, 'upgraded')).config.ack_policy).toBe('all');
    await publish(4);
    await eventually(async () => expect(applied.map((e) => e.position)).toEqual([1, 2, 3, 4]));
  });
});
