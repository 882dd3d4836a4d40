import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** An invite carries the attributes its user gets (a crew's division), as well as the roles. */
export const inviteAttributes2026120215: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE gateway.invites ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE gateway.invites DROP COLUMN attributes`.execute(db);
  },
};
