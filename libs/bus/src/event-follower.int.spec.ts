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
