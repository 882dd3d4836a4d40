import { Pool, type ClientBase, type PoolClient } from 'pg';
import { DeferredStatements } from './one-trip';

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
 * `options.waitForDisk: false` commits without waiting for the WAL to reach the disk
 * (synchronous_commit = off, set in the same round trip as BEGIN): for state derived from
 * events and kept with its watermark, which a crash can only take back to an earlier
 * watermark together with it, never apart. Everything else waits for the disk (the default).
 *
 * Not used by the event store's append (services/event-store/src/append/append-batch.ts),
 * which holds its connection across the decide step between its statements.
 */
export interface TransactionOptions {
  /** false: COMMIT does not wait for the disk (see above). Default true. */
  waitForDisk?: boolean;
}

export function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
export function inTransaction<C extends ClientBase, T>(client: C, fn: (client: C) => Promise<T>, options?: TransactionOptions): Promise<T>;
export async function inTransaction<T>(on: Pool | ClientBase, fn: (client: any) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const begin = beginStatements(options).join('; ');
  if (!(on instanceof Pool)) return transact(on, fn, begin);
  return withPooledClient(on, (client, onRollbackFailed) => transact(client, fn, begin, onRollbackFailed));
}

/** BEGIN, and the setting `waitForDisk: false` asks for. */
function beginStatements(options: TransactionOptions): string[] {
  return options.waitForDisk === false ? ['BEGIN', 'SET LOCAL synchronous_commit = off'] : ['BEGIN'];
}

/** Borrows a connection for `fn` and gives it back after, as broken when its ROLLBACK failed. */
async function withPooledClient<T>(pool: Pool, fn: (client: PoolClient, onRollbackFailed: (error: Error) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await fn(client, (error) => (broken = error));
  } finally {
    client.release(broken);
  }
}

async function transact<C extends ClientBase, T>(client: C, fn: (client: C) => Promise<T>, begin: string, onRollbackFailed: (error: Error) => void = () => undefined): Promise<T> {
  await client.query(begin);
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

/**
 * inTransaction for work that can send its statements together (DeferredStatements):
 * BEGIN (and the setting of `waitForDisk: false`) waits to go out with the first
 * statement whose answer `fn` needs, and the statements still waiting when `fn` returns
 * go out with COMMIT. A transaction that reads once and writes once takes two round
 * trips instead of four or more. `fn` gets no connection of its own: it asks
 * `statements.connection()`, which first sends what waits, so nothing runs outside the
 * transaction or out of order.
 */
export async function inDeferredTransaction<T>(pool: Pool, fn: (statements: DeferredStatements<PoolClient>) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  return withPooledClient(pool, async (client, onRollbackFailed) => {
    const statements = new DeferredStatements(client);
    statements.defer(...beginStatements(options));
    try {
      const result = await fn(statements);
      statements.defer('COMMIT');
      await statements.flush();
      return result;
    } catch (error) {
      // As inTransaction: the caller gets the error that ended the transaction. A
      // ROLLBACK with no transaction open (BEGIN never sent) only warns.
      await client.query('ROLLBACK').catch(onRollbackFailed);
      throw error;
    }
  });
}
