import type { TakesEvent } from '@takes/contracts';
import { eventually } from '@takes/testing';
import { sendUntilAnswered, startStoreCluster, type StoreCluster } from '../testing/store-processes';

const RECORDS = 250;
const EVENTS_PER_RECORD = 40; // 10,000 events in all
const WRITERS = 32;
const user = { id: 'crew', roles: ['admin'] };

describe('relay process killed mid-way (SIGKILL) and restarted past the dedup window', () => {
  let cluster: StoreCluster;
  beforeAll(async () => {
    // One process relays, the other only takes commands; a 1 s dedup window makes the
    // restart happen after JetStream has forgotten every message id.
    cluster = await startStoreCluster('relay_kill', 0, { TAKES_STREAM_DUPLICATE_WINDOW: '1s', TAKES_RELAY_CHECKPOINT: '1s' });
    await cluster.start({ TAKES_RELAY: 'on' });
    await cluster.start({ TAKES_RELAY: 'off' });
    await cluster.defineEntities();
  });
  afterAll(() => cluster.close());

  it('10,000 events from concurrent writers arrive on JetStream exactly once, in position and version order', async () => {
    const relay = cluster.processes[0];
    let next = 0;
    const writers = Array.from({ length: WRITERS }, async () => {
      for (let record = next++; record < RECORDS; record = next++) {
        const id = `rec-${record}`;
        for (let i = 0; i < EVENTS_PER_RECORD; i += 1) {
          await sendUntilAnswered(cluster, {
            v: 1,
            command_id: `${id}-${i}`,
            app: 'main',
            entity: 'inspection',
            entity_id: id,
            op: i === 0 ? 'create' : 'put',
            data: { reading: i, note: `take ${i}` },
            user,
          });
        }
      }
    });

    // Kill the relay once it has published a part of the stream, while writes go on.
    await eventually(async () => expect((await cluster.stream.messages()).length).toBeGreaterThan(1_500), 60_000, 100);
    await relay.kill();
    const atKill = await cluster.stream.messages();
    const publishedAtKill = atKill.length;
    // Past the duplicate window: JetStream has forgotten the last id the killed relay
    // published, so every one before it too (asked by a probe that stores nothing).
    const last = atKill[atKill.length - 1];
    await eventually(async () => expect(await cluster.stream.forgotMessageId(last.headers['Nats-Msg-Id'], last.subject)).toBe(true), 10_000, 100);
    await cluster.start({ TAKES_RELAY: 'on' });
    await Promise.all(writers);

    expect(await cluster.eventCount()).toBe(RECORDS * EVENTS_PER_RECORD);
    const total = Number((await cluster.sql<{ n: string }>('SELECT count(*) AS n FROM event_store.events'))[0].n); // with the two definitions
    await eventually(async () => expect(cluster.stream.messages().then((m) => m.length)).resolves.toBe(total), 60_000, 250);
    // Nothing more arrives after the last one: one more event, and the relay (which
    // publishes in position order) has published it, so any double would be in by now.
    const sentinel = await sendUntilAnswered(cluster, { v: 1, command_id: 'sentinel', app: 'main', entity: 'inspection', entity_id: 'sentinel', op: 'create', data: { reading: -1 }, user });
    await eventually(async () => {
      const now = await cluster.stream.messages();
      expect((now[now.length - 1].body as TakesEvent).position).toBe(sentinel.position);
    }, 30_000, 100);

    const messages = await cluster.stream.messages();
    const events = await cluster.sql<{ id: string; position: string }>('SELECT id, position FROM event_store.events ORDER BY position');
    expect(publishedAtKill).toBeLessThan(RECORDS * EVENTS_PER_RECORD);
    expect(messages).toHaveLength(events.length);
    expect(messages.map((m) => (m.body as TakesEvent).id)).toEqual(events.map((e) => e.id));
    expect(messages.map((m) => Number(m.headers['Takes-Position']))).toEqual(events.map((e) => Number(e.position)));
    const versions = new Map<string, number>();
    for (const m of messages) {
      const event = m.body as TakesEvent;
      if (event.entity === '_meta' || event.entity_id === 'sentinel') continue;
      expect(event.version).toBe((versions.get(event.entity_id) ?? 0) + 1);
      versions.set(event.entity_id, event.version);
    }
    expect([...versions.values()].every((v) => v === EVENTS_PER_RECORD)).toBe(true);
  });
});
