import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/**
 * A state machine's or workflow's webhook action names its url and method per action, not
 * per endpoint: its deliveries carry them (null for a webhook definition's, which uses
 * its endpoint's).
 */
export const actionCalls2026120309: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE webhooks.deliveries ADD COLUMN url text, ADD COLUMN method text`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`ALTER TABLE webhooks.deliveries DROP COLUMN url, DROP COLUMN method`.execute(db);
  },
};
