import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** User attributes (`{"division": "north"}`), which permission conditions name as `$user.<attribute>`. */
export const userAttributes2026120212: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE gateway.users ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE gateway.users DROP COLUMN attributes`.execute(db);
  },
};
