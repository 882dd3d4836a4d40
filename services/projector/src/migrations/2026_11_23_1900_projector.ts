import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** The projector's own state: its watermark per read model and the definitions it built tables from. */
export const projector2026112319: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE projector.watermarks (
      read_model text PRIMARY KEY,
      position   bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    await sql`INSERT INTO projector.watermarks (read_model, position) VALUES ('records', 0)`.execute(db);
    await sql`CREATE TABLE projector.entities (
      app        text NOT NULL,
      name       text NOT NULL,
      definition jsonb NOT NULL,
      removed    boolean NOT NULL DEFAULT false,
      position   bigint NOT NULL,
      PRIMARY KEY (app, name)
    )`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE projector.entities, projector.watermarks`.execute(db);
  },
};
