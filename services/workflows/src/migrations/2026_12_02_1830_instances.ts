import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/**
 * Workflow instances (one per workflow and triggering event: the unique key is what makes
 * a redelivered event start nothing twice), the history of every step taken, and the
 * timers of approvals that wait with a deadline.
 */
export const instances2026120218: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE workflows.instances (
      id                 uuid PRIMARY KEY,
      app                text NOT NULL,
      workflow_id        text NOT NULL,
      workflow_title     text NOT NULL,
      definition         jsonb NOT NULL,
      definition_version integer NOT NULL,
      event_id           text NOT NULL,
      entity             text NOT NULL,
      entity_id          text NOT NULL,
      status             text NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed')),
      current_step       text,
      seq                integer NOT NULL DEFAULT 0,
      attempt            integer NOT NULL DEFAULT 1,
      context            jsonb NOT NULL,
      trigger            jsonb NOT NULL,
      assignee_role      text,
      assignee_user      text,
      deadline           timestamptz,
      error              jsonb,
      created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
      updated_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
      UNIQUE (app, workflow_id, event_id)
    )`.execute(db);
    await sql`CREATE INDEX instances_status ON workflows.instances (app, status, created_at DESC)`.execute(db);
    await sql`CREATE INDEX instances_running ON workflows.instances (updated_at) WHERE status = 'running'`.execute(db);
    await sql`CREATE TABLE workflows.history (
      id          bigserial PRIMARY KEY,
      instance_id uuid NOT NULL REFERENCES workflows.instances ON DELETE CASCADE,
      step        text,
      status      text NOT NULL,
      by_user     text,
      comment     text,
      detail      jsonb,
      at          timestamptz NOT NULL DEFAULT clock_timestamp()
    )`.execute(db);
    await sql`CREATE INDEX history_instance ON workflows.history (instance_id, id)`.execute(db);
    await sql`CREATE TABLE workflows.timers (
      instance_id uuid PRIMARY KEY REFERENCES workflows.instances ON DELETE CASCADE,
      step        text NOT NULL,
      seq         integer NOT NULL,
      due_at      timestamptz NOT NULL
    )`.execute(db);
    await sql`CREATE INDEX timers_due ON workflows.timers (due_at)`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE workflows.timers, workflows.history, workflows.instances`.execute(db);
  },
};
