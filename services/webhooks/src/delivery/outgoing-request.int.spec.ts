import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressAllowList } from '@takes/webhooks';
import { sendOutgoing, type OutgoingRequest } from './outgoing-request';

/** Outgoing requests against real HTTP servers on this machine: what is refused, what is sent, and the bounds. */
describe('outgoing webhook requests', () => {
  let hits = 0;
  let server: http.Server;
  let port: number;
  const allowLoopback = new AddressAllowList(['127.0.0.1']);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits += 1;
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.end('x'.repeat(100_000));
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 2_000).unref();
      } else {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${req.method} ${body} ${req.headers['x-test']}`));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = (overrides: Partial<OutgoingRequest>) =>
    sendOutgoing({ url: `http://127.0.0.1:${port}/`, method: 'POST', headers: { 'x-test': 'yes' }, body: 'hello', timeoutMs: 1_000, maxResponseBytes: 1_000, allow: allowLoopback, ...overrides });

  it('sends to an allowed address and reads the answer', async () => {
    const result = await send({});
    expect(result).toMatchObject({ kind: 'answered', status: 200 });
    expect(result.kind === 'answered' && result.body.toString()).toBe('got POST hello yes');
  });

  it('refuses 127.0.0.1 when configuration does not allow it, without connecting', async () => {
    const before = hits;
    expect(await send({ allow: new AddressAllowList([]) })).toMatchObject({ kind: 'refused', error: expect.stringContaining('loopback') });
    expect(hits).toBe(before);
  });

  it('refuses the metadata address and v4-mapped v6 forms of blocked addresses', async () => {
    expect(await send({ url: 'http://169.254.169.254/latest/meta-data/' })).toMatchObject({ kind: 'refused', error: expect.stringContaining('metadata') });
    expect(await send({ url: 'http://[::ffff:169.254.169.254]/' })).toMatchObject({ kind: 'refused', error: expect.stringContaining('metadata') });
    expect(await send({ url: `http://[::ffff:127.0.0.1]:${port}/`, allow: new AddressAllowList([]) })).toMatchObject({ kind: 'refused' });
  });

  it('refuses a name that resolves to a private address, and one with any blocked address among its answers', async () => {
    const resolve = async (name: string) => (name === 'internal.example' ? [{ address: '10.0.0.7', family: 4 }] : [{ address: '93.184.215.14', family: 4 }, { address: '192.168.1.1', family: 4 }]);
    expect(await send({ url: 'http://internal.example/', resolve })).toMatchObject({ kind: 'refused', error: expect.stringContaining('private') });
    expect(await send({ url: 'http://mixed.example/', resolve })).toMatchObject({ kind: 'refused', error: expect.stringContaining('192.168.1.1') });
    // The system resolver: localhost is a loopback name.
    expect(await send({ url: `http://localhost:${port}/`, allow: new AddressAllowList([]) })).toMatchObject({ kind: 'refused', error: expect.stringContaining('loopback') });
  });

  it('connects to the address it checked, not to a second answer of the name', async () => {
    let calls = 0;
    // A rebinding resolver: first the allowed address, then a blocked one.
    const resolve = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.7', family: 4 }]);
    const result = await send({ url: `http://rebind.example:${port}/`, resolve });
    expect(result).toMatchObject({ kind: 'answered', status: 200 });
    expect(calls).toBe(1);
  });

  it('does not follow a redirect (to the metadata address here)', async () => {
    const result = await send({ url: `http://127.0.0.1:${port}/redirect` });
    expect(result).toMatchObject({ kind: 'answered', status: 302 });
  });

  it('reads the body up to its bound, and gives up after the timeout', async () => {
    const big = await send({ url: `http://127.0.0.1:${port}/big`, maxResponseBytes: 1_000 });
    expect(big.kind === 'answered' && big.body.length).toBe(1_000);
    expect(await send({ url: `http://127.0.0.1:${port}/slow`, timeoutMs: 200 })).toMatchObject({ kind: 'failed', error: expect.stringContaining('timed out') });
  });

  it('fails on a refused connection (nothing listening)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await send({ url: `http://127.0.0.1:${freePort}/` })).toMatchObject({ kind: 'failed', error: expect.stringContaining('ECONNREFUSED') });
  });
});
