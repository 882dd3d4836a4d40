import { Kysely, PostgresDialect } from 'kysely';
import { Pool, type PoolConfig } from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/takes';

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool. */
  poolMax?: number;
  /** How long a request waits for a free connection before it is refused (ms). */
  acquireTimeoutMs?: number;
  /** Longest a single statement may run (ms). */
  statementTimeoutMs?: number;
  /** A name shown in pg_stat_activity. */
  applicationName?: string;
}

export interface Database<DB> {
  db: Kysely<DB>;
  pool: Pool;
  close(): Promise<void>;
}

export function poolConfig(options: DatabaseOptions): PoolConfig {
  return {
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: Math.max(options.statementTimeoutMs ?? 10_000, 10_000) * 2,
    application_name: options.applicationName ?? 'takes',
  } as PoolConfig;
}

/**
 * A kysely instance over a pg pool. The pool bounds connections and refuses a request
 * that waits longer than `acquireTimeoutMs` for one, so overload turns into fast
 * errors instead of a queue that never drains.
 */
export function createDatabase<DB>(options: DatabaseOptions): Database<DB> {
  const pool = new Pool(poolConfig(options));
  // An idle client that loses its server (PostgreSQL restarted) must not crash the process.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}
