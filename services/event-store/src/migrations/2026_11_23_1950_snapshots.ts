import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** Snapshots: a record's state every N events, so reads of long streams start near the end. */
export const snapshots2026112319: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE event_store.snapshots (
      app        text NOT NULL,
      entity     text NOT NULL,
      entity_id  text NOT NULL,
      version    integer NOT NULL,
      state      jsonb NOT NULL,
      deleted    boolean NOT NULL,
      commit_ts  timestamptz NOT NULL,
      PRIMARY KEY (app, entity, entity_id, version)
    )`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE event_store.snapshots`.execute(db);
  },
};
