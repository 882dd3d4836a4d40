import { Client } from 'pg';
import { createStoreFixture, type StoreFixture } from '../testing/store-fixture';
import { READ_APP_META } from '../reads/meta-read';
import { READ_HEADS } from './append-batch';
import { WRITE_BATCH } from './batch-write';

/**
 * The event store's prepared statements are planned once per connection, and PostgreSQL
 * may then keep a plan made for any parameters. Such a plan does not know that a batch
 * names a handful of keys: the first READ_HEADS joined its keys to whole tables and
 * scanned them (2 ms a batch at 20,000 records, growing with them). With tables of that
 * size, each statement's plan for any parameters must look its rows up by key.
 */
describe('prepared statement plans (real PostgreSQL)', () => {
  let store: StoreFixture;
  let client: Client;
  beforeAll(async () => {
    store = await createStoreFixture('plans');
    client = new Client({ connectionString: store.testDb.url });
    await client.connect();
    await client.query(`INSERT INTO event_store.streams (app, entity, entity_id, version, state, deleted, last_commit_ts, last_position)
      SELECT 'main', 'inspection', 'r' || g, 1, '{}', false, now(), g FROM generate_series(1, 20000) g`);
    await client.query(`INSERT INTO event_store.commands (app, user_id, command_id, body_hash, result)
      SELECT 'main', 'u', 'c' || g, 'h', '{}' FROM generate_series(1, 20000) g`);
    await client.query(`INSERT INTO event_store.unique_values (app, entity, field, entity_id, value)
      SELECT 'main', 'inspection', 'a', 'r' || g, 'v' || g FROM generate_series(1, 20000) g`);
    await client.query('ANALYZE');
    await client.query('SET plan_cache_mode = force_generic_plan');
  });
  afterAll(async () => {
    await client?.end();
    await store?.close();
  });

  async function genericPlan(name: string, text: string, values: unknown[]): Promise<string> {
    await client.query('BEGIN');
    try {
      await client.query(`PREPARE ${name} AS ${text}`);
      const literals = values.map((value) => (value === null ? 'NULL' : `'${String(typeof value === 'string' ? value : JSON.stringify(value)).replace(/'/g, "''")}'`));
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) EXECUTE ${name}(${literals.join(', ')})`);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await client.query('ROLLBACK');
    }
  }

  const scans = (plan: string) => plan.match(/Seq Scan on (streams|commands|unique_values)\b.*/g) ?? [];

  it('the batch read looks up heads, command ids and definitions by key', async () => {
    const plan = await genericPlan('read_heads', READ_HEADS.text, [
      [{ app: 'main', entity: 'inspection', entity_id: 'r1' }],
      [{ app: 'main', user_id: 'u', command_id: 'c1' }],
      [{ app: 'main', entity: 'inspection', key: 'entity:inspection' }],
      [],
    ]);
    expect(plan).toContain('streams_pkey');
    expect(scans(plan)).toEqual([]);
  });

  it('the batch write finds the unique values it releases by key', async () => {
    const plan = await genericPlan('write_batch', WRITE_BATCH.text, [[], [], [], [{ app: 'main', entity: 'inspection', entity_id: 'r1', field: 'a' }], [], []]);
    expect(scans(plan)).toEqual([]);
  });

  it("one app's metadata read looks its `_meta` records up by key", async () => {
    const plan = await genericPlan('read_app_meta', READ_APP_META.text, ['main', 'workflow:%', 0]);
    expect(scans(plan)).toEqual([]);
  });
});
