import type { TakesEvent } from '@takes/contracts';
import { eventually, type ServiceProcess } from '@takes/testing';
import { sendUntilAnswered, startStoreCluster, type StoreCluster } from '../testing/store-processes';

const user = { id: 'crew', roles: ['admin'] };

/** Whether a store process holds the relay lock, from its /metrics. */
async function leads(process: ServiceProcess): Promise<boolean> {
  const text = await fetch(`http://127.0.0.1:${process.httpPort}/metrics`).then((r) => r.text());
  return /^takes_relay_leader(\{[^}]*\})? 1$/m.test(text);
}

/**
 * Two store processes both run the relay; one holds the lock. It is SIGKILLed (no
 * cleanup, as in a crash) while it publishes: the other takes the lock over and every
 * event arrives exactly once, in position order.
 */
describe('relay takeover after the leading process crashes', () => {
  let cluster: StoreCluster;
  beforeAll(async () => {
    cluster = await startStoreCluster('relay_takeover', 0, { TAKES_RELAY_CHECKPOINT: '1s' });
    await cluster.start({ TAKES_RELAY: 'on' });
    await cluster.start({ TAKES_RELAY: 'on' });
    await cluster.defineEntities();
  });
  afterAll(() => cluster.close());

  it('the waiting relay takes over from a killed one; nothing lost, nothing twice', async () => {
    const [a, b] = cluster.processes;
    const leader = await eventually(async () => {
      const [la, lb] = await Promise.all([leads(a), leads(b)]);
      expect(la !== lb).toBe(true);
      return la ? a : b;
    }, 20_000);
    const follower = leader === a ? b : a;
    let writing = true;
    let n = 0;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; writing || i < 5; i += 1) {
        await sendUntilAnswered(cluster, { v: 1, command_id: `w${w}-${i}`, app: 'main', entity: 'inspection', entity_id: `w${w}-${i}`, op: 'create', data: { n: (n += 1) }, user });
      }
    });
    // Killed while it publishes: once some of these writes are on the stream.
    await eventually(async () => expect((await cluster.stream.messages()).length).toBeGreaterThan(200), 60_000, 50);
    await leader.kill();
    await eventually(async () => expect(await leads(follower)).toBe(true), 30_000, 100);
    writing = false;
    await Promise.all(writers);

    const events = await cluster.sql<{ id: string }>('SELECT id FROM event_store.events ORDER BY position');
    await eventually(async () => expect((await cluster.stream.messages()).length).toBeGreaterThanOrEqual(events.length), 60_000, 250);
    const messages = await cluster.stream.messages();
    expect(messages.map((m) => (m.body as TakesEvent).id)).toEqual(events.map((e) => e.id));
  });
});
