import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** signaled events carry the name a state machine's send_event action gave. */
export const eventSignal2026120214: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events ADD COLUMN signal text`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events DROP COLUMN signal`.execute(db);
  },
};
