import { Client, type Pool, type PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '@takes/testing';
import { createDatabase, type Database } from './database';
import { inDeferredTransaction, inTransaction } from './transaction';

// One database and pool for both kinds of transaction.
let testDb: TestDatabase;
let database: Database<unknown>;
let pool: Pool;

beforeAll(async () => {
  testDb = await createTestDatabase('in_transaction');
  // A pool as services make it (a lost connection's error is not left unhandled).
  database = createDatabase({ url: testDb.url, poolMax: 2 });
  pool = database.pool;
  await pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});
beforeEach(() => pool.query('TRUNCATE notes'));

const ids = async () => (await pool.query<{ id: number }>('SELECT id FROM notes ORDER BY id')).rows.map((r) => r.id);

describe('inTransaction (real PostgreSQL)', () => {

  it('commits what fn wrote and returns what fn returned', async () => {
    const result = await inTransaction(pool, async (client) => {
      await client.query("INSERT INTO notes VALUES (1, 'a'), (2, 'b')");
      return 'done';
    });
    expect(result).toBe('done');
    expect(await ids()).toEqual([1, 2]);
  });

  it('waitForDisk false: that transaction alone commits without waiting for the disk; by default it waits', async () => {
    const setting = (client: { query: Pool['query'] }) => client.query<{ synchronous_commit: string }>('SHOW synchronous_commit').then((r) => r.rows[0].synchronous_commit);
    const inside = await inTransaction(pool, async (client) => {
      await client.query("INSERT INTO notes VALUES (1, 'a')");
      return setting(client);
    }, { waitForDisk: false });
    expect(inside).toBe('off');
    expect(await ids()).toEqual([1]);
    expect(await inTransaction(pool, (client) => setting(client))).toBe('on');
    // SET LOCAL ends with its transaction: the connection goes back to the pool as it was.
    const client = await pool.connect();
    try {
      expect(await setting(client)).toBe('on');
    } finally {
      client.release();
    }
  });

  it('rolls back everything fn wrote when it throws, and throws the same error', async () => {
    const thrown = Object.assign(new Error('decided against it'), { code: 'SOME_CODE' });
    const failed = await inTransaction(pool, async (client) => {
      await client.query("INSERT INTO notes VALUES (1, 'a')");
      throw thrown;
    }).catch((error: unknown) => error);
    expect(failed).toBe(thrown);
    expect(await ids()).toEqual([]);
  });

  it("keeps a failing statement's pg error (its SQLSTATE), not ROLLBACK's", async () => {
    const failed = await inTransaction(pool, async (client) => {
      await client.query("INSERT INTO notes VALUES (1, 'a')");
      await client.query("INSERT INTO notes VALUES (1, 'again')");
    }).catch((error: { code?: string }) => error);
    expect(failed).toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([]);
  });

  it('gives the pooled connection back after a commit and after a rollback', async () => {
    await inTransaction(pool, (client) => client.query("INSERT INTO notes VALUES (1, 'a')"));
    await inTransaction(pool, async () => {
      throw new Error('no');
    }).catch(() => undefined);
    expect(pool.totalCount - pool.idleCount).toBe(0);
    // Both connections of the pool can still be borrowed at once: none was kept.
    await Promise.all([1, 2].map((id) => inTransaction(pool, (client) => client.query('INSERT INTO notes VALUES ($1, $2)', [10 + id, 'x']))));
    expect(await ids()).toEqual([1, 11, 12]);
  });

  it('keeps the error of a connection lost mid-transaction, not ROLLBACK\'s, and the pool does not lend that connection again', async () => {
    const failed = await inTransaction(pool, async (client) => {
      await client.query("INSERT INTO notes VALUES (1, 'a')");
      // The server ends this session: the statement fails, and ROLLBACK cannot be sent.
      await client.query('SELECT pg_terminate_backend(pg_backend_pid())');
    }).catch((error: { code?: string }) => error);
    expect(failed).toMatchObject({ code: '57P01' });
    expect(pool.totalCount).toBe(pool.idleCount);
    await inTransaction(pool, (client) => client.query("INSERT INTO notes VALUES (2, 'b')"));
    expect(await ids()).toEqual([2]);
  });

  it('runs on a connection it is given and leaves it open', async () => {
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      await inTransaction(client, async (c) => {
        await c.query("INSERT INTO notes VALUES (1, 'a')");
        // Inside the transaction: another session does not see the row yet.
        expect(await ids()).toEqual([]);
      });
      expect(await ids()).toEqual([1]);
      await expect(
        inTransaction(client, async (c) => {
          await c.query("INSERT INTO notes VALUES (2, 'b')");
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(await ids()).toEqual([1]);
    } finally {
      await client.end();
    }
  });
});

describe('inDeferredTransaction (real PostgreSQL)', () => {
  /** Counts the messages (round trips) the next connection lent by the pool sends, until restored. */
  const countMessages = () => {
    let sent = 0;
    let restore = () => undefined as unknown;
    pool.once('acquire', (client: PoolClient) => {
      const query = client.query;
      client.query = ((...args: unknown[]) => {
        sent += 1;
        return (query as (...a: unknown[]) => unknown).apply(client, args);
      }) as PoolClient['query'];
      restore = () => (client.query = query);
    });
    return { sent: () => sent, restore: () => restore() };
  };

  it('sends BEGIN with the first read and the waiting writes with COMMIT: two round trips, in order', async () => {
    const counter = countMessages();
    const seen = await inDeferredTransaction(pool, async (statements) => {
      statements.defer("INSERT INTO notes VALUES (1, 'a')");
      // The read comes after the write waiting before it, in the same transaction.
      const { rows } = await statements.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
      expect(await ids()).toEqual([]);
      statements.defer("INSERT INTO notes VALUES (2, 'b')");
      return rows[0].n;
    });
    counter.restore();
    expect(seen).toBe(1);
    expect(await ids()).toEqual([1, 2]);
    expect(counter.sent()).toBe(2);
  });

  it('a waiting write that fails at COMMIT fails the transaction with its own error, and nothing is written', async () => {
    const failed = await inDeferredTransaction(pool, async (statements) => {
      statements.defer("INSERT INTO notes VALUES (1, 'a')", "INSERT INTO notes VALUES (1, 'again')");
    }).catch((error: { code?: string }) => error);
    expect(failed).toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([]);
    expect(pool.totalCount).toBe(pool.idleCount);
  });

  it('rolls back what was sent when fn throws, and sends nothing that still waited', async () => {
    const thrown = new Error('decided against it');
    const failed = await inDeferredTransaction(pool, async (statements) => {
      statements.defer("INSERT INTO notes VALUES (1, 'a')");
      await statements.query('SELECT 1');
      statements.defer("INSERT INTO notes VALUES (2, 'b')");
      throw thrown;
    }).catch((error: unknown) => error);
    expect(failed).toBe(thrown);
    expect(await ids()).toEqual([]);
    // The connection went back clean: the next transaction commits.
    await inDeferredTransaction(pool, async (statements) => statements.defer("INSERT INTO notes VALUES (3, 'c')"));
    expect(await ids()).toEqual([3]);
  });

  it('connection() sends what waits first, so a query with parameters runs inside the transaction, after it', async () => {
    await inDeferredTransaction(pool, async (statements) => {
      statements.defer("INSERT INTO notes VALUES (1, 'a')");
      const client = await statements.connection();
      expect(statements.pending).toBe(0);
      const { rows } = await client.query<{ body: string }>('SELECT body FROM notes WHERE id = $1', [1]);
      expect(rows).toEqual([{ body: 'a' }]);
      await client.query('INSERT INTO notes VALUES ($1, $2)', [2, 'b']);
    });
    expect(await ids()).toEqual([1, 2]);
  });

  it('waitForDisk false: that transaction commits without waiting for the disk', async () => {
    const setting = await inDeferredTransaction(pool, async (statements) => (await statements.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit, { waitForDisk: false });
    expect(setting).toBe('off');
    expect(await inDeferredTransaction(pool, async (statements) => (await statements.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit)).toBe('on');
  });
});
