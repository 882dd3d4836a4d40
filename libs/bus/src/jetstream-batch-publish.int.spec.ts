import { headers as natsHeaders } from 'nats';
import { createTestStream, type TestStream } from '@takes/testing';
import { JetStreamBatchPublisher, type BatchMessage } from './jetstream-batch-publish';

/** Batches of JetStream publishes over one ack subscription, against a real stream. */
describe('JetStreamBatchPublisher (real JetStream)', () => {
  let ts: TestStream;
  let publisher: JetStreamBatchPublisher;
  beforeEach(async () => {
    ts = await createTestStream({ duplicateWindowMs: 60_000 });
    publisher = new JetStreamBatchPublisher(ts.nc);
  });
  afterEach(async () => {
    publisher.close();
    await ts.cleanup();
  });

  const message = (i: number, expectedLastSequence?: number, subject = `${ts.prefix}evt.main.inspection.created`): BatchMessage => {
    const headers = natsHeaders();
    headers.set('Takes-Position', String(i));
    return { subject, data: Buffer.from(JSON.stringify({ i })), headers, msgId: `id-${i}`, expectedLastSequence };
  };

  it('stores a batch in order, each answered with its sequence; the headers and ids go with them', async () => {
    const acks = await publisher.publish(Array.from({ length: 50 }, (_, i) => message(i + 1, i)), 5_000);
    expect(acks).toEqual(Array.from({ length: 50 }, (_, i) => ({ ok: true, seq: i + 1, duplicate: false })));
    const stored = await ts.messages();
    expect(stored.map((m) => (m.body as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(stored.map((m) => [m.headers['Nats-Msg-Id'], m.headers['Takes-Position']])).toEqual(Array.from({ length: 50 }, (_, i) => [`id-${i + 1}`, String(i + 1)]));
  });

  it('answers a message id seen before as a duplicate, a wrong expected sequence and a subject no stream stores as refused', async () => {
    await publisher.publish([message(1, 0), message(2, 1)], 5_000);
    const [again] = await publisher.publish([message(2)], 5_000);
    expect(again).toEqual({ ok: true, seq: 2, duplicate: true });
    const [wrong] = await publisher.publish([message(3, 7)], 5_000);
    expect(wrong).toMatchObject({ ok: false, error: expect.stringMatching(/wrong last sequence/) });
    const [nowhere] = await publisher.publish([message(4, undefined, `${ts.prefix}nowhere`)], 5_000);
    expect(nowhere).toMatchObject({ ok: false, error: expect.stringMatching(/503|no responders/) });
    expect((await ts.messages()).length).toBe(2);
  });

  it('batches in flight at once each get their own acks', async () => {
    const [first, second] = await Promise.all([
      publisher.publish(Array.from({ length: 20 }, (_, i) => message(i + 1)), 5_000),
      publisher.publish(Array.from({ length: 20 }, (_, i) => message(i + 101)), 5_000),
    ]);
    expect([...first, ...second].every((ack) => ack.ok && !ack.duplicate)).toBe(true);
    const seqs = [...first, ...second].map((ack) => (ack.ok ? ack.seq : 0)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
