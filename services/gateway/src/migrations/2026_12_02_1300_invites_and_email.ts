import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/**
 * Invites, password resets (both stored as token hashes), and per app: email providers,
 * email templates and the email delivery log, which is also the outbox the sender works
 * through (a row is written in the same transaction as the token it carries).
 */
export const invitesAndEmail2026120213: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE gateway.invites (
      id          uuid PRIMARY KEY,
      app         text NOT NULL,
      email       text NOT NULL,
      roles       text[] NOT NULL DEFAULT '{}',
      token_hash  text NOT NULL UNIQUE,
      status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
      expires_at  timestamptz NOT NULL,
      invited_by  text,
      user_id     uuid,
      accepted_at timestamptz,
      revoked_at  timestamptz,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    // One pending invite per address; a pending one past its expiry is closed (status expired) before a new one is made.
    await sql`CREATE UNIQUE INDEX invites_one_pending ON gateway.invites (app, lower(email)) WHERE status = 'pending'`.execute(db);
    await sql`CREATE INDEX invites_app_created ON gateway.invites (app, created_at DESC)`.execute(db);

    await sql`CREATE TABLE gateway.password_resets (
      token_hash text PRIMARY KEY,
      app        text NOT NULL,
      user_id    uuid NOT NULL REFERENCES gateway.users (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at    timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    await sql`CREATE INDEX password_resets_user ON gateway.password_resets (user_id) WHERE used_at IS NULL`.execute(db);

    await sql`CREATE TABLE gateway.email_providers (
      id         uuid PRIMARY KEY,
      app        text NOT NULL,
      name       text NOT NULL,
      provider   text NOT NULL,
      config     jsonb NOT NULL,
      priority   integer NOT NULL DEFAULT 0,
      active     boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (app, name)
    )`.execute(db);

    await sql`CREATE TABLE gateway.email_templates (
      id         uuid PRIMARY KEY,
      app        text NOT NULL,
      key        text NOT NULL,
      subject    text NOT NULL,
      body_html  text NOT NULL DEFAULT '',
      body_text  text NOT NULL DEFAULT '',
      active     boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (app, key)
    )`.execute(db);

    await sql`CREATE TABLE gateway.email_logs (
      id                uuid PRIMARY KEY,
      app               text NOT NULL,
      template_key      text NOT NULL,
      to_email          text NOT NULL,
      subject           text NOT NULL DEFAULT '',
      variables         jsonb,
      status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
      attempt           integer NOT NULL DEFAULT 0,
      next_attempt_at   timestamptz NOT NULL DEFAULT now(),
      provider_id       uuid,
      provider_response jsonb,
      error             text,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
    await sql`CREATE INDEX email_logs_due ON gateway.email_logs (next_attempt_at) WHERE status IN ('pending', 'retrying')`.execute(db);
    await sql`CREATE INDEX email_logs_app_created ON gateway.email_logs (app, created_at DESC)`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE gateway.email_logs, gateway.email_templates, gateway.email_providers, gateway.password_resets, gateway.invites`.execute(db);
  },
};
