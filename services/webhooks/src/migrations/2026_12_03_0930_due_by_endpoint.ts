import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** Each endpoint's due deliveries in order, so a claim reads only as many as the endpoint has free slots for. */
export const dueByEndpoint2026120309: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE INDEX deliveries_due_endpoint ON webhooks.deliveries (app, webhook_id, next_attempt_at, position) WHERE status IN ('pending', 'retrying')`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP INDEX webhooks.deliveries_due_endpoint`.execute(db);
  },
};
