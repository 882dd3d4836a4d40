import { replay } from '@takes/decide';
import { createStoreFixture, type StoreFixture } from '../testing/store-fixture';
import { loadEventsFrom } from './event-rows';
import { recordStateAt } from './record-state-at';

describe('snapshots (real PostgreSQL)', () => {
  let store: StoreFixture;
  beforeAll(async () => {
    store = await createStoreFixture('snapshots', { snapshotEvery: 10 });
  });
  afterAll(() => store.close());

  it('keep the state every 10 events, and state at any version read from them equals a full replay', async () => {
    await store.append({ entity_id: 'long', op: 'create', data: { n: 0, list: [] } });
    for (let i = 1; i < 35; i += 1) {
      const reply = i === 17 ? await store.append({ entity_id: 'long', op: 'delete' })
        : i === 18 ? await store.append({ entity_id: 'long', op: 'restore' })
        : await store.append({ entity_id: 'long', op: 'put', data: { n: i, list: [i] } });
      expect('data' in reply).toBe(true);
    }
    const snapshots = await store.db.selectFrom('snapshots').select(['version']).where('entity_id', '=', 'long').orderBy('version').execute();
    expect(snapshots.map((s) => s.version)).toEqual([10, 20, 30]);
    const events = await loadEventsFrom(store.db, { app: 'main', entity: 'inspection', entity_id: 'long' }, 1);
    for (let version = 1; version <= 35; version += 1) {
      const full = replay(events.filter((e) => e.version <= version));
      const fromSnapshot = await recordStateAt(store.db, { app: 'main', entity: 'inspection', entity_id: 'long' }, { version });
      expect({ version, ...fromSnapshot, commit_ts: undefined }).toEqual({ version, deleted: full.deleted, state: full.state, commit_ts: undefined });
    }
    const atTime = await recordStateAt(store.db, { app: 'main', entity: 'inspection', entity_id: 'long' }, { time: events[24].commit_ts });
    expect(atTime?.version).toBeGreaterThanOrEqual(25);
    expect(await recordStateAt(store.db, { app: 'main', entity: 'inspection', entity_id: 'long' }, { version: 99 })).toBeUndefined();
  });
});
