import pino from 'pino';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { NatsConnection } from 'nats';
import { subjects, type TakesEvent } from '@takes/contracts';
import { connectNats } from '@takes/bus';
import { createTcpProxy, createTestStream, eventually, type TestStream } from '@takes/testing';
import { createStoreFixture, type StoreFixture } from '../testing/store-fixture';
import { loadEventsAfter } from '../reads/event-rows';
import { defineTestEntity } from '../testing/test-entity';
import { Relay, type RelayOptions } from './relay';
import { readCheckpoint, saveCheckpoint } from './relay-checkpoint';

const log = pino({ level: 'silent' });
/** The fixture defines its entity first: one `_meta` event before the records' events. */
const META = 1;

/** A relay on the store's database; what the store commits is handed to it, as the service wires them. */
async function makeRelay(store: StoreFixture, stream: TestStream, nc: NatsConnection, databaseUrl = store.testDb.url, more: Partial<RelayOptions> = {}): Promise<Relay> {
  const relay = new Relay({
    databaseUrl,
    db: store.db,
    nc,
    jsm: await nc.jetstreamManager(),
    stream: stream.stream,
    subjects: subjects(stream.prefix),
    batchSize: 200,
    pollMs: 10,
    electionMs: 100,
    checkpointMs: 0,
    log,
    ...more,
  });
  store.handTo(relay);
  return relay;
}

async function writeMany(store: StoreFixture, records: number, editsEach: number, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: records }, async (_, r) => {
      const id = `${tag}-${r}`;
      await store.append({ entity_id: id, op: 'create', data: { n: 0 } });
      for (let e = 1; e < editsEach; e += 1) await store.append({ entity_id: id, op: 'put', data: { n: e } });
    }),
  );
}

/** The stream's last message: its id is the one JetStream remembers the longest. */
async function lastMessage(stream: TestStream): Promise<{ id: string; subject: string }> {
  const last = (await stream.messages()).pop()!;
  return { id: last.headers['Nats-Msg-Id'], subject: last.subject };
}

/**
 * Appends one more event and waits until the relay has published it: the relay publishes
 * in position order, so whatever it would have published before it (a double) is in the
 * stream by then. This is how the tests below see that nothing more arrives.
 */
async function publishSentinel(store: StoreFixture, stream: TestStream, relay: Relay): Promise<void> {
  await writeMany(store, 1, 1, 'sentinel');
  const top = (await loadEventsAfter(store.db, 0, 100_000)).pop()!;
  await eventually(async () => {
    expect(relay.cursor.position).toBe(top.position);
    expect((await lastMessage(stream)).id).toBe(top.id);
  }, 10_000);
}

/** Asserts the stream holds exactly the store's events: once each, in position and per-record version order. */
async function expectStreamMatchesStore(store: StoreFixture, stream: TestStream): Promise<void> {
  const events = await loadEventsAfter(store.db, 0, 100_000);
  const messages = await stream.messages();
  const published = messages.map((m) => m.body as TakesEvent);
  expect(published.map((e) => e.id)).toEqual(events.map((e) => e.id));
  expect(new Set(published.map((e) => e.id)).size).toBe(published.length);
  expect(messages.map((m) => Number(m.headers['Takes-Position']))).toEqual(events.map((e) => e.position));
  expect(messages.every((m) => m.headers['Nats-Msg-Id'] === (m.body as TakesEvent).id)).toBe(true);
  expect(messages.every((m) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(m.headers.traceparent))).toBe(true);
  const lastVersion = new Map<string, number>();
  for (const event of published) {
    const before = lastVersion.get(event.entity_id) ?? 0;
    expect(event.version).toBe(before + 1);
    lastVersion.set(event.entity_id, event.version);
  }
  for (const m of messages) {
    const e = m.body as TakesEvent;
    expect(m.subject).toBe(`${stream.prefix}evt.${e.app}.${e.entity}.${e.type}`);
  }
}

/**
 * Holds the answer of the relay's nth read of the events table (PostgreSQL has run it:
 * what it found is fixed) until released, so a test can commit while that read is out.
 */
class HoldTableRead implements KyselyPlugin {
  private reads = 0;
  private readonly held = new WeakSet<object>();
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  private enter!: () => void;
  /** Resolves once the nth read is held. */
  readonly entered = new Promise<void>((resolve) => (this.enter = resolve));

  constructor(private readonly nth: number) {}

  release(): void {
    this.open();
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node as RootOperationNode & { sqlFragments?: readonly string[] };
    const text = node.kind === 'RawNode' ? (node.sqlFragments ?? []).join('?') : '';
    if (text.includes('trace_id FROM event_store.events') && ++this.reads === this.nth) this.held.add(args.queryId);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.held.has(args.queryId)) {
      this.enter();
      await this.gate;
    }
    return args.result;
  }
}

describe('relay (real PostgreSQL and JetStream)', () => {
  let store: StoreFixture;
  let stream: TestStream;

  beforeEach(async () => {
    store = await createStoreFixture('relay');
    stream = await createTestStream({ duplicateWindowMs: 1_000 });
  });
  afterEach(async () => {
    await stream.cleanup();
    await store.close();
  });

  it('publishes concurrent group-committed appends once each, in position and version order', async () => {
    const relay = await makeRelay(store, stream, stream.nc);
    relay.start();
    try {
      await writeMany(store, 40, 25, 'c');
      await eventually(async () => expect(relay.cursor.position).toBe((await loadEventsAfter(store.db, 0, 100_000)).pop()!.position), 20_000);
      await expectStreamMatchesStore(store, stream);
      expect(await readCheckpoint(store.db, stream.stream)).toEqual(relay.cursor);
    } finally {
      await relay.stop();
    }
  });

  it('publishes what this process committed without reading it back, key for key as the table holds it; a commit not handed over is read from the table, in order', async () => {
    const from: Record<string, number> = { commits: 0, table: 0 };
    // It never polls here: only a local commit wakes it, so the table is read only for a gap.
    const relay = await makeRelay(store, stream, stream.nc, store.testDb.url, {
      pollMs: 600_000,
      onPublished: (count, _position, source) => (from[source] += count),
    });
    relay.start();
    try {
      // Caught up with what was there before (the entity's definition, from the table).
      await eventually(() => expect(relay.cursor.position).toBe(META));
      // JSON whose key order jsonb changes (longer keys after shorter, bytes not letters), numbers, unicode.
      const data = { notes: { zz: 1, a: { 'é': 1, z: 2, '10': 3, '2': 4, ab: [{ b: 1.5, a: -0 }] } }, list: [3, 'x', null, { yy: true, x: false }], a: 'ünïcode ✓' };
      await store.append({ entity_id: 'handed', op: 'create', data, branch_ts: '2026-12-03T10:00:00.123456+01:00', submit_ts: '2026-12-03T10:00:01.5+01:00' });
      await eventually(async () => expect(from.commits).toBe(1));
      // Another replica's commit (not handed over), then this one's again: the gap sends the relay to the table.
      store.handTo(undefined);
      await store.append({ entity_id: 'elsewhere', op: 'create', data: { n: 1 } });
      store.handTo(relay);
      await writeMany(store, 5, 4, 'after');
      await publishSentinel(store, stream, relay);
      await expectStreamMatchesStore(store, stream);
      expect(from.table).toBeGreaterThanOrEqual(1);
      expect(from.commits).toBeGreaterThan(1);
      // Every message is the table's event, key for key and value for value.
      const events = await loadEventsAfter(store.db, 0, 100_000);
      const messages = await stream.messages();
      expect(messages.map((m) => JSON.stringify(m.body))).toEqual(events.map((e) => JSON.stringify(e)));
      expect(Object.keys((messages.find((m) => (m.body as TakesEvent).entity_id === 'handed')!.body as TakesEvent).submitted.notes as object)).toEqual(['a', 'zz']);
    } finally {
      await relay.stop();
    }
  });

  it('once a read of the table has caught up, what this process commits next goes out as handed over, not read back', async () => {
    // One lane, as the service runs by default: commits are handed over in position order.
    // With several lanes, the answers of two commits can be taken in either order, and
    // such a gap is rightly read from the table.
    await store.close();
    store = await createStoreFixture('relay', { groupCommit: { lanes: 1 } });
    const tableBatches: number[] = [];
    // It never polls here: only a local commit wakes it, so the table is read only for a gap.
    const relay = await makeRelay(store, stream, stream.nc, store.testDb.url, {
      pollMs: 600_000,
      onPublished: (count, _position, source) => source === 'table' && tableBatches.push(count),
    });
    relay.start();
    try {
      await eventually(() => expect(relay.cursor.position).toBe(META));
      tableBatches.length = 0;
      // Another replica's commit: the next events handed over do not follow the cursor.
      store.handTo(undefined);
      await store.append({ entity_id: 'elsewhere', op: 'create', data: { n: 1 } });
      // Each commit reaches the relay 20 ms after it is visible in the table (an append
      // whose answer is slow to come back), with ten writers at once: there is always a
      // commit in the table that the relay has not been handed yet.
      store.handTo({ handOff: (rows) => setTimeout(() => relay.handOff(rows), 20) });
      await writeMany(store, 10, 20, 'busy');
      await publishSentinel(store, stream, relay);
      await expectStreamMatchesStore(store, stream);
      // The gap is read once, up to the last commit then visible (well under a batch of 200); the rest was handed over.
      expect(tableBatches).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it('a wake by events already published does not send the relay to the table: the next commit goes out as handed over', async () => {
    const published: { position: number; from: string }[] = [];
    const relay = await makeRelay(store, stream, stream.nc, store.testDb.url, {
      pollMs: 600_000,
      onPublished: (_count, position, from) => published.push({ position, from }),
    });
    // Hand-overs are held here and let go one by one, in the order the test chooses.
    const held: Parameters<Relay['handOff']>[0][] = [];
    store.handTo({ handOff: (rows) => held.push(rows) });
    relay.start();
    try {
      await eventually(() => expect(relay.cursor.position).toBe(META));
      await writeMany(store, 2, 1, 'first');
      // The second commit's events arrive first: a gap, so the relay reads both from the table.
      relay.handOff(held[1]);
      await eventually(() => expect(relay.cursor.position).toBe(META + 2));
      await writeMany(store, 1, 1, 'next');
      // The first commit's events arrive now, already published: they wake the relay (wakes come
      // through setImmediate, so the wake and what the relay does on it run before the next
      // line), and that is all. The third commit, in the table by now, waits for its own hand-over.
      relay.handOff(held[0]);
      await new Promise((resolve) => setImmediate(resolve));
      relay.handOff(held[2]);
      await eventually(() => expect(relay.cursor.position).toBe(META + 3));
      expect(published.slice(-2)).toEqual([{ position: META + 2, from: 'table' }, { position: META + 3, from: 'commits' }]);
      await expectStreamMatchesStore(store, stream);
    } finally {
      await relay.stop();
    }
  });

  /**
   * A relay that never polls (10 minutes) and takes one event a batch: the read that found
   * the entity's definition was full, so it reads again; that second read finds nothing,
   * and its answer is held.
   */
  async function relayWithEmptyReadHeld(): Promise<{ relay: Relay; hold: HoldTableRead }> {
    const hold = new HoldTableRead(2);
    const relay = await makeRelay(store, stream, stream.nc, store.testDb.url, { db: store.db.withPlugin(hold), pollMs: 600_000, batchSize: 1 });
    return { relay, hold };
  }

  it('a commit handed over while a read of the table finds nothing goes out then, not at the next poll', async () => {
    const { relay, hold } = await relayWithEmptyReadHeld();
    relay.start();
    try {
      await hold.entered;
      expect(relay.cursor.position).toBe(META);
      // Committed and handed over while the read is out: its wake (through setImmediate, so
      // done by the time the next line's turn comes) finds the relay busy.
      await store.append({ entity_id: 'during', op: 'create', data: { n: 1 } });
      await new Promise((resolve) => setImmediate(resolve));
      hold.release();
      // It never polls: only what it was handed can send this event now.
      await eventually(() => expect(relay.cursor.position).toBe(META + 1));
      await expectStreamMatchesStore(store, stream);
    } finally {
      await relay.stop();
    }
  });

  it('commits handed over out of order while a read of the table finds nothing go out then too, the first read from the table', async () => {
    const { relay, hold } = await relayWithEmptyReadHeld();
    const held: Parameters<Relay['handOff']>[0][] = [];
    store.handTo({ handOff: (rows) => held.push(rows) });
    relay.start();
    try {
      await hold.entered;
      await store.append({ entity_id: 'first', op: 'create', data: { n: 1 } });
      await store.append({ entity_id: 'second', op: 'create', data: { n: 2 } });
      // The second commit's answer is taken first (two lanes can do that).
      relay.handOff(held[1]);
      relay.handOff(held[0]);
      await new Promise((resolve) => setImmediate(resolve));
      hold.release();
      await eventually(() => expect(relay.cursor.position).toBe(META + 2));
      await expectStreamMatchesStore(store, stream);
    } finally {
      await relay.stop();
    }
  });

  it("every event carries its app's meta position: its latest metadata change at or before it", async () => {
    const relay = await makeRelay(store, stream, stream.nc);
    relay.start();
    try {
      await writeMany(store, 2, 2, 'first');
      // Published before the next change: a relay that first meets an app after a change to
      // its metadata starts from that change, a header at or past the truth, never below.
      await eventually(async () => expect((await stream.messages()).length).toBe(META + 4), 10_000);
      const redefined = await store.append({ ...defineTestEntity('second'), command_id: 'define-second' });
      if (!('data' in redefined)) throw new Error(JSON.stringify(redefined));
      await writeMany(store, 2, 2, 'then');
      await publishSentinel(store, stream, relay);
      const messages = await stream.messages();
      let latest = 0;
      const expected = messages.map((m) => {
        const event = m.body as TakesEvent;
        if (event.entity === '_meta') latest = event.position;
        return [event.position, latest];
      });
      expect(messages.map((m) => [(m.body as TakesEvent).position, Number(m.headers['Takes-Meta-Position'])])).toEqual(expected);
      expect(latest).toBe(redefined.data.position);
    } finally {
      await relay.stop();
    }
  });

  it('JetStream unreachable after commits: the relay catches up when it is back, no gap, no duplicate', async () => {
    const proxy = await createTcpProxy(Number(new URL(stream.url).port || 4222));
    const nc = await connectNats({ url: `nats://127.0.0.1:${proxy.port}`, name: 'relay-behind-proxy' });
    const relay = await makeRelay(store, stream, nc);
    relay.start();
    try {
      await writeMany(store, 10, 10, 'before');
      await eventually(async () => expect((await stream.messages()).length).toBe(META + 100), 10_000);
      await proxy.cut();
      // Writes are acknowledged on PostgreSQL commit while JetStream is out of reach.
      await writeMany(store, 10, 10, 'during');
      expect(await store.eventCount()).toBe(200);
      // Until the relay has tried to publish them and been refused (a publish times out after 5 s).
      await eventually(() => expect(relay.problem(0)).toMatch(/refused/), 20_000);
      await proxy.restore();
      await eventually(async () => expect((await stream.messages()).length).toBe(META + 200), 20_000);
      await expectStreamMatchesStore(store, stream);
    } finally {
      await relay.stop();
      await nc.close();
      await proxy.close();
    }
  });

  it('one relay leads; a second waits on the lock and takes over when the first stops', async () => {
    // The second relay's election connections go through a proxy that counts them: each
    // one is an attempt to take the lock (the relay connects anew for every attempt).
    const elections = await createTcpProxy(Number(new URL(store.testDb.url).port || 5432));
    const viaProxy = new URL(store.testDb.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(elections.port);
    const first = await makeRelay(store, stream, stream.nc);
    const second = await makeRelay(store, stream, stream.nc, viaProxy.toString());
    first.start();
    await eventually(() => expect(first.leader).toBe(true));
    second.start();
    await writeMany(store, 5, 10, 'a');
    // A third attempt begins only after the second ended: two attempts lost while the first leads.
    await eventually(() => expect(elections.accepted).toBeGreaterThanOrEqual(3), 10_000);
    expect(second.leader).toBe(false);
    expect(first.leader).toBe(true);
    await first.stop();
    await eventually(() => expect(second.leader).toBe(true), 5_000);
    await writeMany(store, 5, 10, 'b');
    try {
      await eventually(async () => expect((await stream.messages()).length).toBe(META + 100), 10_000);
      await expectStreamMatchesStore(store, stream);
    } finally {
      await second.stop();
      await elections.close();
    }
  });

  it('a stream that ends with another store\'s event (the database was recreated) does not make the relay skip this store\'s events', async () => {
    const { headers } = await import('nats');
    const h = headers();
    h.set('Takes-Position', '999');
    await stream.nc.jetstream().publish(`${stream.prefix}evt.main.inspection.created`, Buffer.from('{}'), { msgID: 'from-another-store', headers: h });
    const relay = await makeRelay(store, stream, stream.nc);
    relay.start();
    try {
      await writeMany(store, 3, 2, 'fresh');
      await eventually(async () => expect((await stream.messages()).length).toBe(1 + META + 6), 10_000);
      const ours = (await stream.messages()).slice(1).map((m) => (m.body as TakesEvent).id);
      expect(ours).toEqual((await loadEventsAfter(store.db, 0, 100)).map((e) => e.id));
    } finally {
      await relay.stop();
    }
  });

  it('a checkpoint left behind (crash before it was saved) doubles nothing, even past the dedup window', async () => {
    const relay = await makeRelay(store, stream, stream.nc);
    relay.start();
    await writeMany(store, 5, 10, 'x');
    await eventually(async () => expect((await stream.messages()).length).toBe(META + 50), 10_000);
    await relay.stop();
    // As if the relay died after publishing but before saving its checkpoint.
    await saveCheckpoint(store.db, stream.stream, { position: 0, seq: 0 });
    // Past the 1 s duplicate window: JetStream has forgotten the last id it took, so every one.
    const last = await lastMessage(stream);
    await eventually(async () => expect(await stream.forgotMessageId(last.id, last.subject)).toBe(true), 10_000);
    const again = await makeRelay(store, stream, stream.nc);
    again.start();
    try {
      await writeMany(store, 5, 2, 'y');
      await eventually(async () => expect((await stream.messages()).length).toBe(META + 60), 10_000);
      await publishSentinel(store, stream, again);
      await expectStreamMatchesStore(store, stream);
    } finally {
      await again.stop();
    }
  });
});
