import type { Subscription } from 'nats';
import { TakesError } from '@takes/contracts';
import { connectNats } from './connection';
import { NatsWatermarks } from './nats-watermarks';
import { requestJson } from './rpc-client';
import { createTestStream, type TestStream } from '@takes/testing';
import { serveWatermark } from './watermark-responder';

let ts: TestStream;
let served: Subscription[];

beforeEach(async () => {
  ts = await createTestStream({ create: false });
  served = [];
});

afterEach(async () => {
  for (const sub of served) sub.unsubscribe();
  await ts.cleanup();
});

const watermarks = () => new NatsWatermarks(ts.nc, { subjectPrefix: ts.prefix, timeoutMs: 2_000 });

describe('the watermark contract (watermark.<read_model>)', () => {
  it("answers with the owner's current position, which the port returns", async () => {
    let position = 0;
    served.push(serveWatermark(ts.nc, { subjectPrefix: ts.prefix, readModel: 'records', position: async () => position }));
    await ts.nc.flush();
    expect(await watermarks().position('records')).toBe(0);
    position = 1042;
    expect(await watermarks().position('records')).toBe(1042);
    expect(await requestJson(ts.nc, `${ts.prefix}watermark.records`, { v: 1 })).toEqual({ data: { v: 1, read_model: 'records', position: 1042 } });
  });

  it('is answered once by one of several replicas, standby ones included', async () => {
    const other = await connectNats({ url: ts.url, name: 'standby' });
    try {
      let asked = 0;
      const position = async () => {
        asked += 1;
        return 7;
      };
      served.push(serveWatermark(ts.nc, { subjectPrefix: ts.prefix, readModel: 'review_queue', position }));
      served.push(serveWatermark(other, { subjectPrefix: ts.prefix, readModel: 'review_queue', position }));
      await Promise.all([ts.nc.flush(), other.flush()]);
      for (let i = 0; i < 10; i += 1) expect(await watermarks().position('review_queue')).toBe(7);
      expect(asked).toBe(10);
    } finally {
      await other.drain();
    }
  });

  it('is UNAVAILABLE when no owner answers (not started yet, or down)', async () => {
    served.push(serveWatermark(ts.nc, { subjectPrefix: ts.prefix, readModel: 'records', position: async () => 5 }));
    await ts.nc.flush();
    const error = await watermarks().position('review_queue', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TakesError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it("refuses a bad request INVALID_PAYLOAD and answers the owner's failures in the error shape", async () => {
    served.push(
      serveWatermark(ts.nc, {
        subjectPrefix: ts.prefix,
        readModel: 'records',
        position: async () => {
          throw Object.assign(new Error('Connection terminated'), { code: 'ECONNRESET' });
        },
        knownError: () => new TakesError('UNAVAILABLE', 'PostgreSQL is unavailable, retry later'),
      }),
    );
    await ts.nc.flush();
    expect(await requestJson(ts.nc, `${ts.prefix}watermark.records`, { v: 2 })).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    await expect(watermarks().position('records')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'PostgreSQL is unavailable, retry later' });
  });
});
