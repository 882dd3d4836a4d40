import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** shelved events carry why the edit was not applied (a rule's refusal, a unique value taken). */
export const shelveReason2026112409: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events ADD COLUMN reason jsonb`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events DROP COLUMN reason`.execute(db);
  },
};
