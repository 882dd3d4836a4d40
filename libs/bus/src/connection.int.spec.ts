import type { NatsConnection } from 'nats';
import { createTestStream, eventually, type TestStream } from '@takes/testing';
import { connectNats } from './connection';

/** The socket side of nats.js's connection, as connectNats leaves it (nats 2.29). */
interface Transport {
  send(frame: Uint8Array): void;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('connectNats (real NATS)', () => {
  let ts: TestStream;
  let nc: NatsConnection;
  beforeAll(async () => {
    ts = await createTestStream({ create: false });
    nc = await connectNats({ url: ts.url, name: 'coalescing-probe' });
  });
  afterAll(async () => {
    await nc.close();
    await ts.cleanup();
  });

  it('sends what is queued in one turn of the event loop in one socket write, in order', async () => {
    const transport = (nc as unknown as { protocol: { transport: Transport } }).protocol.transport;
    const writes: Uint8Array[] = [];
    const send = transport.send.bind(transport);
    transport.send = (frame) => {
      writes.push(frame);
      send(frame);
    };
    const received: string[] = [];
    const sub = nc.subscribe(`${ts.prefix}probe`, { callback: (_error, msg) => received.push(msg.string()) });
    await nc.flush();
    writes.length = 0;
    try {
      // Messages from separate microtask chains of one turn: nats.js alone writes after each chain.
      nc.publish(`${ts.prefix}probe`, 'a');
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
      nc.publish(`${ts.prefix}probe`, 'b');
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
      nc.publish(`${ts.prefix}probe`, 'c');
      expect(writes).toHaveLength(0);
      await tick();
      expect(writes).toHaveLength(1);
      await nc.flush();
      expect(received).toEqual(['a', 'b', 'c']);
      // Requests and replies still work through it.
      const echo = nc.subscribe(`${ts.prefix}echo`, { callback: (_error, msg) => msg.respond(msg.data) });
      const replies = await Promise.all(['x', 'y', 'z'].map((text) => nc.request(`${ts.prefix}echo`, text, { timeout: 5_000 })));
      expect(replies.map((reply) => reply.string())).toEqual(['x', 'y', 'z']);
      echo.unsubscribe();
    } finally {
      transport.send = send;
      sub.unsubscribe();
    }
  });

  it('close() right after a publish still sends it', async () => {
    const received: string[] = [];
    const sub = nc.subscribe(`${ts.prefix}last-words`, { callback: (_error, msg) => received.push(msg.string()) });
    await nc.flush();
    const leaving = await connectNats({ url: ts.url, name: 'closing-probe' });
    leaving.publish(`${ts.prefix}last-words`, 'bye');
    await leaving.close();
    await eventually(() => expect(received).toEqual(['bye']));
    sub.unsubscribe();
  });
});
