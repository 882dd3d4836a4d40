import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/**
 * Endpoints (each webhook definition as of the intake's watermark, with its state),
 * secrets, deliveries (one per event and endpoint), each attempt, and the intake's watermark.
 */
export const deliveries2026120218: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE webhooks.endpoints (
      app            text NOT NULL,
      id             text NOT NULL,
      definition     jsonb NOT NULL,
      version        integer NOT NULL,
      removed        boolean NOT NULL DEFAULT false,
      failing_since  timestamptz,
      disabled_at    timestamptz,
      disabled_reason text,
      PRIMARY KEY (app, id)
    )`.execute(db);
    await sql`CREATE TABLE webhooks.secrets (
      app              text NOT NULL,
      webhook_id       text NOT NULL,
      secret           text NOT NULL,
      previous         text,
      previous_until   timestamptz,
      created_at       timestamptz NOT NULL DEFAULT now(),
      rotated_at       timestamptz,
      PRIMARY KEY (app, webhook_id)
    )`.execute(db);
    await sql`CREATE TABLE webhooks.deliveries (
      id              uuid PRIMARY KEY,
      app             text NOT NULL,
      webhook_id      text NOT NULL,
      event_id        uuid NOT NULL,
      position        bigint NOT NULL,
      entity          text NOT NULL,
      record_id       text NOT NULL,
      hook            text NOT NULL,
      message_id      text NOT NULL,
      body            text NOT NULL,
      idempotency_key text NOT NULL,
      status          text NOT NULL DEFAULT 'pending',
      attempts        integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until     timestamptz,
      last_status     integer,
      last_error      text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now(),
      UNIQUE (event_id, webhook_id)
    )`.execute(db);
    // Due deliveries, and the earlier open delivery of the same record (order per record).
    await sql`CREATE INDEX deliveries_due ON webhooks.deliveries (next_attempt_at, position) WHERE status IN ('pending', 'retrying')`.execute(db);
    await sql`CREATE INDEX deliveries_open_record ON webhooks.deliveries (app, webhook_id, entity, record_id, position) WHERE status IN ('pending', 'retrying')`.execute(db);
    await sql`CREATE INDEX deliveries_log ON webhooks.deliveries (app, created_at DESC)`.execute(db);
    // Requests in flight per endpoint (a lease is cleared when its attempt is settled, so this stays small).
    await sql`CREATE INDEX deliveries_leased ON webhooks.deliveries (app, webhook_id) WHERE lease_until IS NOT NULL`.execute(db);
    await sql`CREATE TABLE webhooks.attempts (
      delivery_id      uuid NOT NULL REFERENCES webhooks.deliveries (id) ON DELETE CASCADE,
      attempt          integer NOT NULL,
      started_at       timestamptz NOT NULL,
      duration_ms      integer NOT NULL,
      response_status  integer,
      error            text,
      response_excerpt text,
      webhook_timestamp bigint NOT NULL,
      PRIMARY KEY (delivery_id, attempt)
    )`.execute(db);
    await sql`CREATE TABLE webhooks.watermarks (read_model text PRIMARY KEY, position bigint NOT NULL DEFAULT 0)`.execute(db);
    await sql`INSERT INTO webhooks.watermarks (read_model, position) VALUES ('intake', 0)`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE webhooks.watermarks, webhooks.attempts, webhooks.deliveries, webhooks.secrets, webhooks.endpoints`.execute(db);
  },
};
