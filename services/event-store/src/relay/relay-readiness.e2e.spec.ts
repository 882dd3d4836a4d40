import { randomUUID } from 'node:crypto';
import { eventually } from '@takes/testing';
import { startStoreCluster, type StoreCluster } from '../testing/store-processes';

/** /ready tells an SRE when the relay cannot publish, instead of ok while every read waits. */
describe('event store /ready and a relay whose publishes are refused', () => {
  let cluster: StoreCluster;
  afterAll(() => cluster.close());

  it('a stream replaced by one of another prefix: appends still commit, /ready answers 503 naming the relay', async () => {
    cluster = await startStoreCluster('relay_ready', 0);
    const store = await cluster.start({ TAKES_RELAY: 'on' });
    await cluster.defineEntities();
    const ready = () => fetch(`http://127.0.0.1:${store.httpPort}/ready`).then(async (r) => ({ status: r.status, body: (await r.json()) as { checks?: Record<string, string>; error?: { details: Record<string, string> } } }));
    expect((await ready()).body.checks).toMatchObject({ relay: 'ok' });
    // Someone recreates the stream for another deployment's prefix.
    const jsm = await cluster.stream.nc.jetstreamManager();
    await jsm.streams.delete(cluster.stream.stream);
    await jsm.streams.add({ name: cluster.stream.stream, subjects: [`elsewhere${cluster.stream.prefix}evt.>`] });
    const user = { id: 'sre', roles: ['admin'] };
    const appended = await cluster.send({ v: 1, command_id: randomUUID(), app: 'main', entity: 'inspection', entity_id: randomUUID(), op: 'create', data: { a: 1 }, user });
    expect('data' in appended).toBe(true);
    await eventually(async () => {
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.body.error!.details.relay).toMatch(/relay's publishes are refused/);
    }, 30_000);
  });
});
