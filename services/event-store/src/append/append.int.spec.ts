import { Client } from 'pg';
import { sql } from 'kysely';
import { createTcpProxy, eventually } from '@takes/testing';
import { createStoreFixture, type StoreFixture } from '../testing/store-fixture';
import { defineTestEntity } from '../testing/test-entity';
import { loadEventsAfter } from '../reads/event-rows';
import { POSITION_LOCK } from '@takes/db';

describe('append (real PostgreSQL, in-process)', () => {
  let store: StoreFixture;
  beforeAll(async () => {
    store = await createStoreFixture('append');
  });
  afterAll(() => store.close());

  it('answers create, put, patch, delete and restore with gapless versions and stored heads', async () => {
    const id = 'rec-1';
    const created = await store.append({ entity_id: id, op: 'create', data: { a: 1, notes: 'x' } });
    expect(created).toMatchObject({ data: { outcome: 'applied', version: 1, record: { a: 1, notes: 'x' } } });
    await store.append({ entity_id: id, op: 'put', base_version: 1, data: { a: 2 } });
    await store.append({ entity_id: id, op: 'patch', patch: [{ op: 'replace', path: '/notes', value: 'y' }] });
    await store.append({ entity_id: id, op: 'delete' });
    const restored = await store.append({ entity_id: id, op: 'restore' });
    expect(restored).toMatchObject({ data: { version: 5, deleted: false, record: { a: 2, notes: 'y' } } });
    const rows = await store.db.selectFrom('events').select(['version', 'type', 'prior_version']).where('entity_id', '=', id).orderBy('version').execute();
    expect(rows.map((r) => [r.version, r.type, r.prior_version])).toEqual([
      [1, 'created', 0], [2, 'updated', 1], [3, 'updated', 2], [4, 'deleted', 3], [5, 'restored', 4],
    ]);
    const head = await store.db.selectFrom('streams').selectAll().where('entity_id', '=', id).executeTakeFirstOrThrow();
    expect(head).toMatchObject({ version: 5, deleted: false, state: { a: 2, notes: 'y' } });
  });

  it('decides each batch with the metadata as it stands: a definition changed between two batches is the one the next batch uses', async () => {
    const define = async (policy: 'reject' | 'field', n: number) =>
      expect(await store.append({ ...defineTestEntity('policy', 'main', policy), command_id: `define-policy-${n}` })).toHaveProperty('data');
    const staleEdit = (n: number) => store.append({ entity: 'policy', entity_id: 'p-1', op: 'put', base_version: 1, data: { b: n } });
    await define('reject', 1);
    await store.append({ entity: 'policy', entity_id: 'p-1', op: 'create', data: { a: 1, b: 1 } });
    await store.append({ entity: 'policy', entity_id: 'p-1', op: 'put', base_version: 1, data: { a: 2, b: 1 } });
    expect(await staleEdit(2)).toMatchObject({ error: { code: 'CONFLICT' } });
    // Merged field by field once the entity says so, and refused again once it says otherwise.
    await define('field', 2);
    expect(await staleEdit(3)).toMatchObject({ data: { version: 3, record: { a: 2, b: 3 } } });
    await define('reject', 3);
    expect(await staleEdit(4)).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('commit_ts never goes below the stream last commit, and submit is clamped', async () => {
    const id = 'rec-clock';
    await store.append({ entity_id: id, op: 'create', data: { a: 1 } });
    // Push the head's last commit into the future, as a clock step back would look.
    await store.db.updateTable('streams').set({ last_commit_ts: '2099-01-01T00:00:00.000Z' }).where('entity_id', '=', id).execute();
    const later = await store.append({ entity_id: id, op: 'put', data: { a: 2 }, submit_ts: '2199-01-01T00:00:00.000Z' });
    expect('data' in later && later.data.commit_ts).toBe('2099-01-01T00:00:00.000Z');
    const event = await store.db.selectFrom('events').select(['submit_ts', 'branch_ts']).where('entity_id', '=', id).where('version', '=', 2).executeTakeFirstOrThrow();
    expect(event.submit_ts.toISOString()).toBe('2099-01-01T00:00:00.000Z');
    expect(event.branch_ts.toISOString()).toBe('2099-01-01T00:00:00.000Z');
  });

  it('positions follow commit order: a reader never sees a higher position before a held lower one commits', async () => {
    await store.append({ entity_id: 'order-0', op: 'create', data: { n: 0 } });
    const before = await loadEventsAfter(store.db, 0, 10_000);
    const start = before[before.length - 1].position;

    // A transaction that takes the position lock, writes its event, and is held open.
    const held = new Client({ connectionString: store.testDb.url });
    await held.connect();
    await held.query('BEGIN');
    await held.query('SELECT pg_advisory_xact_lock($1, $2)', POSITION_LOCK);
    const { rows } = await held.query(
      `INSERT INTO event_store.events (id, v, command_id, app, entity, entity_id, type, version, prior_version, base_version,
         patch, submitted, branch_ts, submit_ts, commit_ts, user_id, user_roles)
       VALUES (gen_random_uuid(), 1, 'held', 'main', 'inspection', 'held-1', 'created', 1, 0, 0, '[]', '{}', now(), now(), now(), 'u', '{}')
       RETURNING position`,
    );
    const heldPosition = Number(rows[0].position);

    // Other writers go on meanwhile; the reader polls "events after P" as the relay does,
    // until the writers wait behind the held lock (or, did they not take it, have committed).
    const writers = Array.from({ length: 20 }, (_, i) => store.append({ entity_id: `order-${i + 1}`, op: 'create', data: { n: i } }));
    let settled = 0;
    for (const writer of writers) void writer.finally(() => (settled += 1)).catch(() => undefined);
    const seen: number[] = [];
    let cursor = start;
    const read = async () => {
      for (const event of await loadEventsAfter(store.db, cursor, 1_000)) {
        seen.push(event.position);
        cursor = event.position;
      }
    };
    await eventually(async () => {
      await read();
      const { rows } = await store.database.pool.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_locks
         WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2 AND objsubid = 2
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        POSITION_LOCK,
      );
      if (rows[0].waiting === 0 && settled < writers.length) throw new Error(`no writer waits on the position lock yet, ${settled} of ${writers.length} answered`);
    }, 10_000, 20);
    await read();
    // Nothing after the held position is visible while it is held.
    expect(seen.every((p) => p < heldPosition)).toBe(true);

    await held.query('COMMIT');
    await held.end();
    await Promise.all(writers);
    for (;;) {
      const page = await loadEventsAfter(store.db, cursor, 1_000);
      if (page.length === 0) break;
      for (const event of page) {
        seen.push(event.position);
        cursor = event.position;
      }
    }
    expect(seen).toContain(heldPosition);
    expect(seen.length).toBe(21);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('group commit: concurrent appends share transactions and each keeps its own version check', async () => {
    const batches: number[] = [];
    const fixture = await createStoreFixture('group', { groupCommit: { lanes: 1 } });
    (fixture.committer as unknown as { hooks: object }).hooks = { onBatch: (size: number) => batches.push(size) };
    try {
      await fixture.append({ entity_id: 'g', op: 'create', data: { n: 0 } });
      const replies = await Promise.all([
        ...Array.from({ length: 40 }, (_, i) => fixture.append({ entity_id: `g-${i}`, op: 'create', data: { n: i } })),
        ...Array.from({ length: 10 }, (_, i) => fixture.append({ entity_id: 'g', op: 'put', base_version: 1, data: { n: i + 1 } })),
      ]);
      const sameBase = replies.slice(40);
      expect(sameBase.filter((r) => 'data' in r)).toHaveLength(1);
      expect(sameBase.filter((r) => 'error' in r && r.error.code === 'CONFLICT')).toHaveLength(9);
      expect(replies.slice(0, 40).every((r) => 'data' in r)).toBe(true);
      expect(Math.max(...batches)).toBeGreaterThan(1);
      expect(await fixture.eventCount()).toBe(42);
    } finally {
      await fixture.close();
    }
  });

  it('when a shared transaction fails, its members are retried one by one', async () => {
    // An event row written behind the store's back (no stream head) makes a create of
    // that record break the events' uniqueness: the shared transaction fails, and the
    // other member of the batch must still be appended on its own.
    await store.append({ entity_id: 'dup-ok', op: 'create', data: {} });
    await sql`INSERT INTO event_store.events (id, v, command_id, app, entity, entity_id, type, version, prior_version, base_version,
      patch, submitted, branch_ts, submit_ts, commit_ts, user_id, user_roles)
      VALUES (gen_random_uuid(), 1, 'sneak', 'main', 'inspection', 'sneaky', 'created', 1, 0, 0, '[]', '{}', now(), now(), now(), 'u', '{}')`.execute(store.db);
    const [bad, good] = await Promise.all([
      store.append({ entity_id: 'sneaky', op: 'create', data: { a: 1 } }),
      store.append({ entity_id: 'dup-ok-2', op: 'create', data: { a: 2 } }),
    ]);
    expect('error' in bad).toBe(true);
    expect(good).toMatchObject({ data: { version: 1 } });
  });

  it('overload: 200 concurrent appends on a pool of 5 connections never hang; the rest get UNAVAILABLE', async () => {
    const small = await createStoreFixture('overload', { poolMax: 5, acquireTimeoutMs: 500, groupCommit: { lanes: 2, maxBatch: 16, maxQueued: 150, queueTimeoutMs: 1_000 } });
    try {
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => small.append({ entity_id: `o-${i}`, op: 'create', data: { i } })));
      const elapsed = Date.now() - started;
      const ok = replies.filter((r) => 'data' in r).length;
      const unavailable = replies.filter((r) => 'error' in r && r.error.code === 'UNAVAILABLE').length;
      expect(ok + unavailable).toBe(200);
      expect(ok).toBeGreaterThanOrEqual(100);
      expect(elapsed).toBeLessThan(10_000); // none hangs: all answered well within the bounds
      expect(await small.eventCount()).toBe(ok);
      // Normal service after.
      expect(await small.append({ entity_id: 'after', op: 'create', data: {} })).toMatchObject({ data: { version: 1 } });
    } finally {
      await small.close();
    }
  });

  it('PostgreSQL down: appends fail fast with UNAVAILABLE, nothing partial; back up: appends work', async () => {
    const proxy = await createTcpProxy(5432);
    const viaProxy = await createStoreFixture('pgdown', { url: `postgres://postgres@127.0.0.1:${proxy.port}/{db}`, acquireTimeoutMs: 1_000 });
    try {
      expect(await viaProxy.append({ entity_id: 'p-1', op: 'create', data: {} })).toMatchObject({ data: { version: 1 } });
      await proxy.cut();
      const started = Date.now();
      const reply = await viaProxy.append({ entity_id: 'p-2', op: 'create', data: {} });
      expect(reply).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      expect(Date.now() - started).toBeLessThan(3_000);
      await proxy.restore();
      const again = await viaProxy.append({ entity_id: 'p-2', op: 'create', data: {} });
      expect(again).toMatchObject({ data: { version: 1 } });
      // Exactly the two acknowledged creates exist; the refused one left nothing behind.
      expect(await viaProxy.eventCount()).toBe(2);
    } finally {
      await proxy.close();
      await viaProxy.close();
    }
  });
});
