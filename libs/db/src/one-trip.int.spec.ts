import type { Pool, PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '@takes/testing';
import { createDatabase, type Database } from './database';
import { executeSql, inOneTrip, prepareOnce, type SqlStatement } from './one-trip';

describe('statements in one round trip (real PostgreSQL)', () => {
  let testDb: TestDatabase;
  let database: Database<unknown>;
  let pool: Pool;
  const echo: SqlStatement = { name: 'echo_note', text: 'SELECT $1::jsonb AS value, $2::text AS body' };
  const insert: SqlStatement = { name: 'insert_note', text: 'INSERT INTO notes (id, body) SELECT (x->>0)::int, x->>1 FROM jsonb_array_elements($1::jsonb) AS x' };

  beforeAll(async () => {
    testDb = await createTestDatabase('one_trip');
    database = createDatabase({ url: testDb.url, poolMax: 1 });
    pool = database.pool;
    await pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(async () => {
    await database.close();
    await testDb.drop();
  });
  beforeEach(() => pool.query('TRUNCATE notes'));

  /** Runs `fn` on one borrowed connection (these tests are about what one connection sees). */
  async function onOneConnection(fn: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await pool.connect();
    try {
      await fn(client);
    } finally {
      client.release();
    }
  }

  it('gives every parameter to PostgreSQL exactly as written, quotes, backslashes and dollar tags included', () => onOneConnection(async (client) => {
    await prepareOnce(client, [echo]);
    const texts = ["it's", 'back\\slash \\n', '$t$', 'ends with $t', 'ends with $', '$t1$$t$', 'ünï \u{1F527}', "'); DROP TABLE notes; --"];
    for (const text of texts) {
      const value = { text, list: [text] };
      const [result] = await inOneTrip(client, [executeSql(echo, [JSON.stringify(value), text])]);
      expect(result.rows[0]).toEqual({ value, body: text });
    }
    expect((await client.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(0);
  }));

  it('runs BEGIN, the statements and COMMIT as one message, each result in order', () => onOneConnection(async (client) => {
    await prepareOnce(client, [insert, echo]);
    const results = await inOneTrip(client, ['BEGIN', executeSql(insert, ['[[1,"a"],[2,"b"]]']), executeSql(echo, ['{"n":1}', 'x']), 'COMMIT']);
    expect(results.map((r) => r.command)).toEqual(['BEGIN', 'INSERT', 'SELECT', 'COMMIT']);
    expect(results[1].rowCount).toBe(2);
    expect(results[2].rows).toEqual([{ value: { n: 1 }, body: 'x' }]);
    expect((await client.query('SELECT id FROM notes ORDER BY id')).rows).toEqual([{ id: 1 }, { id: 2 }]);
  }));

  it('stops at the first statement that fails: COMMIT after it does not run, the transaction is left to roll back', () => onOneConnection(async (client) => {
    await prepareOnce(client, [insert]);
    await inOneTrip(client, ['BEGIN', executeSql(insert, ['[[1,"a"]]'])]);
    const failed = await inOneTrip(client, [executeSql(insert, ['[[2,"b"],[1,"again"]]']), 'COMMIT']).catch((error: { code?: string }) => error);
    expect(failed).toMatchObject({ code: '23505' });
    expect((await client.query<{ status: string }>("SELECT 'still open' AS status").catch((error: { code?: string }) => ({ rows: [{ status: error.code }] }))).rows[0].status).toBe('25P02');
    await client.query('ROLLBACK');
    expect((await client.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(0);
  }));

  it('prepares a statement once per connection, and takes one prepared elsewhere on it as there', () => onOneConnection(async (client) => {
    const named = async () => (await client.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => r.name);
    await prepareOnce(client, [echo]);
    await prepareOnce(client, [echo]);
    expect(await named()).toContain('echo_note');
    await client.query(`PREPARE other_note AS SELECT 1`);
    await expect(prepareOnce(client, [{ name: 'other_note', text: 'SELECT 1' }])).resolves.toBeUndefined();
  }));
});
