import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** The review queue: contested, unresolved fields per record, and its watermark. */
export const reviewQueue2026112320: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE conflicts.contested (
      app          text NOT NULL,
      entity       text NOT NULL,
      entity_id    text NOT NULL,
      pointer      text NOT NULL,
      version      integer NOT NULL,
      position     bigint NOT NULL,
      user_id      text NOT NULL,
      device       text,
      contested_at timestamptz NOT NULL,
      PRIMARY KEY (app, entity, entity_id, pointer)
    )`.execute(db);
    await sql`CREATE INDEX contested_age ON conflicts.contested (app, contested_at)`.execute(db);
    await sql`CREATE TABLE conflicts.watermarks (read_model text PRIMARY KEY, position bigint NOT NULL DEFAULT 0)`.execute(db);
    await sql`INSERT INTO conflicts.watermarks (read_model, position) VALUES ('review_queue', 0)`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE conflicts.watermarks, conflicts.contested`.execute(db);
  },
};
