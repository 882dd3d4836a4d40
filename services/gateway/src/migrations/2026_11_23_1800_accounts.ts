import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** Apps, users (platform users have app '_platform'), refresh tokens and settings. */
export const accounts2026112318: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE gateway.settings (key text PRIMARY KEY, value text NOT NULL)`.execute(db);
    await sql`CREATE TABLE gateway.apps (
      name         text PRIMARY KEY,
      display_name text NOT NULL,
      db_driver    text NOT NULL DEFAULT 'postgres',
      status       text NOT NULL DEFAULT 'active',
      created_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    await sql`CREATE TABLE gateway.users (
      id            uuid PRIMARY KEY,
      app           text NOT NULL,
      email         text NOT NULL,
      password_hash text NOT NULL,
      roles         text[] NOT NULL DEFAULT '{}',
      active        boolean NOT NULL DEFAULT true,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    await sql`CREATE UNIQUE INDEX users_app_email ON gateway.users (app, lower(email))`.execute(db);
    await sql`CREATE TABLE gateway.refresh_tokens (
      token_hash text PRIMARY KEY,
      family     uuid NOT NULL,
      user_id    uuid NOT NULL REFERENCES gateway.users (id) ON DELETE CASCADE,
      app        text NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    await sql`CREATE INDEX refresh_tokens_family ON gateway.refresh_tokens (family)`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE gateway.refresh_tokens, gateway.users, gateway.apps, gateway.settings`.execute(db);
  },
};
