import { Pool, type ClientBase, type PoolClient } from 'pg';

/**
 * Runs `fn` in one transaction: BEGIN, then `fn`, then COMMIT, and returns what `fn`
 * returned. When `fn` throws (or COMMIT fails), the transaction is rolled back and the
 * same error is thrown again, unchanged, so its code (a pg SQLSTATE, a TakesError's)
 * reaches the caller. Given a pool, it borrows a connection for the transaction and
 * gives it back after; a connection whose ROLLBACK failed is given back as broken, so
 * the pool closes it rather than hand it out again mid-transaction. Given a connection,
 * it uses that one and leaves it open.
 *
 * `fn` must send its statements on the connection it is given (the pool's other
 * connections are outside the transaction). Settings made with SET LOCAL last until the
 * end of the transaction.
 *
 * Not used by the event store's append (services/event-store/src/append/append-batch.ts),
 * which holds its connection across the decide step between its statements.
 */
export function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T>;
export function inTransaction<C extends ClientBase, T>(client: C, fn: (client: C) => Promise<T>): Promise<T>;
export async function inTransaction<T>(on: Pool | ClientBase, fn: (client: any) => Promise<T>): Promise<T> {
  if (!(on instanceof Pool)) return transact(on, fn);
  const client = await on.connect();
  let broken: Error | undefined;
  try {
    return await transact(client, fn, (error) => (broken = error));
  } finally {
    client.release(broken);
  }
}

async function transact<C extends ClientBase, T>(client: C, fn: (client: C) => Promise<T>, onRollbackFailed: (error: Error) => void = () => undefined): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // The error that ended the transaction is the one the caller gets, not ROLLBACK's.
    await client.query('ROLLBACK').catch(onRollbackFailed);
    throw error;
  }
}
