import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** Unique values: which record holds each value of a unique field, reserved in the append transaction. */
export const uniqueValues2026112320: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE event_store.unique_values (
      app       text NOT NULL,
      entity    text NOT NULL,
      field     text NOT NULL,
      entity_id text NOT NULL,
      value     text NOT NULL,
      PRIMARY KEY (app, entity, field, entity_id),
      UNIQUE (app, entity, field, value)
    )`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE event_store.unique_values`.execute(db);
  },
};
