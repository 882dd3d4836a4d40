import { sql, type Kysely } from 'kysely';
import { Client } from 'pg';
import { migrationLock } from './advisory-locks';

/** One schema change. `up` applies it, `down` undoes it; both run inside a transaction. */
export interface Migration {
  up(db: Kysely<any>): Promise<void>;
  down(db: Kysely<any>): Promise<void>;
}

/** Migrations of one schema, keyed by a name that starts with its timestamp (sorted = applied order). */
export type Migrations = Record<string, Migration>;

export interface MigrateOptions {
  url: string;
  schema: string;
  migrations: Migrations;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Brings a schema up to its newest migration. Runs under a session advisory lock keyed by
 * the schema name, held on a connection of its own, so replicas starting together apply
 * each migration exactly once. Returns the names it applied.
 */
export async function migrateSchema(db: Kysely<any>, options: MigrateOptions): Promise<string[]> {
  const { schema, migrations } = options;
  if (!SCHEMA_NAME.test(schema)) throw new Error(`bad schema name ${schema}`);
  const lock = new Client({ connectionString: options.url, connectionTimeoutMillis: 5_000 });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [migrationLock(schema)]);
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.id(schema, 'migrations')} (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    const done = await sql<{ name: string }>`SELECT name FROM ${sql.id(schema, 'migrations')}`.execute(db);
    const applied = new Set(done.rows.map((row) => row.name));
    const ran: string[] = [];
    for (const name of Object.keys(migrations).sort()) {
      if (applied.has(name)) continue;
      await db.transaction().execute(async (trx) => {
        await migrations[name].up(trx);
        await sql`INSERT INTO ${sql.id(schema, 'migrations')} (name) VALUES (${name})`.execute(trx);
      });
      ran.push(name);
    }
    return ran;
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [migrationLock(schema)]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

/** Undoes the newest applied migration of a schema; returns its name, or null if none. */
export async function migrateDown(db: Kysely<any>, options: MigrateOptions): Promise<string | null> {
  const { schema, migrations } = options;
  const done = await sql<{ name: string }>`SELECT name FROM ${sql.id(schema, 'migrations')} ORDER BY name DESC LIMIT 1`.execute(db);
  const last = done.rows[0]?.name;
  if (!last) return null;
  const migration = migrations[last];
  if (!migration) throw new Error(`migration ${last} is applied but not known to this build`);
  await db.transaction().execute(async (trx) => {
    await migration.down(trx);
    await sql`DELETE FROM ${sql.id(schema, 'migrations')} WHERE name = ${last}`.execute(trx);
  });
  return last;
}
