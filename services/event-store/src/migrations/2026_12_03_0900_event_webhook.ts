import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** webhook_requested events carry the call a state machine's or workflow's webhook action asked for. */
export const eventWebhook2026120309: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events ADD COLUMN webhook jsonb`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE event_store.events DROP COLUMN webhook`.execute(db);
  },
};
