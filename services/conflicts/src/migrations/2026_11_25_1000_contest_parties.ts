import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/**
 * Every party of a contest, not only the last writer's: the users and devices of both
 * sides of each contested pointer (the edit merged in and the edits it met), gathered
 * over every event that contested it. Filled from the single columns for the rows there.
 */
export const contestParties2026112510: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE conflicts.contested ADD COLUMN users text[] NOT NULL DEFAULT '{}', ADD COLUMN devices text[] NOT NULL DEFAULT '{}'`.execute(db);
    await sql`UPDATE conflicts.contested SET users = ARRAY[user_id], devices = CASE WHEN device IS NULL THEN '{}' ELSE ARRAY[device] END`.execute(db);
    await sql`CREATE INDEX contested_devices ON conflicts.contested USING gin (devices)`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP INDEX conflicts.contested_devices`.execute(db);
    await sql`ALTER TABLE conflicts.contested DROP COLUMN users, DROP COLUMN devices`.execute(db);
  },
};
