import { headers as natsHeaders, type NatsConnection } from 'nats';
import { createTestStream, type TestStream } from '@takes/testing';
import { connectNats } from './connection';
import { RequestFailed, requestMux } from './request-mux';

/** Requests over one inbox per connection, against a real NATS server. */
describe('request mux (real NATS)', () => {
  let ts: TestStream;
  beforeEach(async () => {
    ts = await createTestStream();
  });
  afterEach(async () => {
    await ts.cleanup();
  });

  /** Answers `<prefix>echo` with what it got and its `n` header, after `delayMs(n)`. */
  const serveEcho = (nc: NatsConnection, delayMs: (n: number) => number = () => 0) =>
    nc.subscribe(`${ts.prefix}echo`, {
      callback: (_error, msg) => {
        const n = Number(msg.headers?.get('n'));
        setTimeout(() => msg.respond(Buffer.from(`${n}:${Buffer.from(msg.data).toString()}`)), delayMs(n));
      },
    });

  it('matches every answer to its request, 500 at once answered out of order', async () => {
    const server = serveEcho(ts.nc, (n) => (n * 7) % 13);
    const replies = await Promise.all(Array.from({ length: 500 }, (_, n) => {
      const h = natsHeaders();
      h.set('n', String(n));
      return requestMux(ts.nc).request(`${ts.prefix}echo`, Buffer.from(`body ${n}`), { timeoutMs: 5_000, headers: h });
    }));
    expect(replies.map((msg) => Buffer.from(msg.data).toString())).toEqual(Array.from({ length: 500 }, (_, n) => `${n}:body ${n}`));
    server.unsubscribe();
  });

  it('fails a request nobody listens to with 503 at once, and one nobody answers with TIMEOUT', async () => {
    const none = await requestMux(ts.nc).request(`${ts.prefix}nobody`, Buffer.from('x'), { timeoutMs: 10_000 }).catch((error: RequestFailed) => error);
    expect(none).toBeInstanceOf(RequestFailed);
    expect(none).toMatchObject({ code: '503' });
    const silent = ts.nc.subscribe(`${ts.prefix}silent`, { callback: () => undefined });
    await ts.nc.flush();
    const late = await requestMux(ts.nc).request(`${ts.prefix}silent`, Buffer.from('x'), { timeoutMs: 200 }).catch((error: RequestFailed) => error);
    expect(late).toMatchObject({ code: 'TIMEOUT' });
    silent.unsubscribe();
  });

  it('an answer after the timeout changes nothing, and the next request on the mux is answered', async () => {
    const server = serveEcho(ts.nc, (n) => (n === 0 ? 400 : 0));
    const h = (n: number) => {
      const headers = natsHeaders();
      headers.set('n', String(n));
      return headers;
    };
    const first = await requestMux(ts.nc).request(`${ts.prefix}echo`, Buffer.from('slow'), { timeoutMs: 100, headers: h(0) }).catch((error: RequestFailed) => error);
    expect(first).toMatchObject({ code: 'TIMEOUT' });
    const second = await requestMux(ts.nc).request(`${ts.prefix}echo`, Buffer.from('quick'), { timeoutMs: 2_000, headers: h(1) });
    expect(Buffer.from(second.data).toString()).toBe('1:quick');
    // The slow answer arrives after its request gave up: still nothing breaks.
    await new Promise<void>((resolve) => setTimeout(resolve, 400));
    const third = await requestMux(ts.nc).request(`${ts.prefix}echo`, Buffer.from('again'), { timeoutMs: 2_000, headers: h(2) });
    expect(Buffer.from(third.data).toString()).toBe('2:again');
    server.unsubscribe();
  });

  it('fails the requests in flight when their connection closes, and refuses new ones, without waiting for their timeouts', async () => {
    const nc = await connectNats({ url: ts.url, name: 'mux-close' });
    const silent = ts.nc.subscribe(`${ts.prefix}silent`, { callback: () => undefined });
    await ts.nc.flush();
    const inFlight = requestMux(nc).request(`${ts.prefix}silent`, Buffer.from('x'), { timeoutMs: 60_000 }).catch((error: RequestFailed) => error);
    await nc.flush();
    await nc.close();
    // Its timeout is a minute away: it ends with the connection.
    expect(await inFlight).toMatchObject({ code: 'CLOSED' });
    await expect(Promise.resolve().then(() => requestMux(nc).request(`${ts.prefix}silent`, Buffer.from('x'), { timeoutMs: 60_000 }))).rejects.toBeDefined();
    silent.unsubscribe();
  });
});
