import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** lost_update events carry the values a stale overwrite destroyed. */
export const overwritten2026112320: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events ADD COLUMN overwritten jsonb`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events DROP COLUMN overwritten`.execute(db);
  },
};
