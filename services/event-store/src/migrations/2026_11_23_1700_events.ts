import { sql, type Kysely } from 'kysely';
import type { Migration } from '@takes/db';

/** The event store: events (source of truth), stream heads, command results, relay checkpoint. */
export const events2026112317: Migration = {
  async up(db: Kysely<any>) {
    await sql`CREATE TABLE event_store.events (
      position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id            uuid NOT NULL UNIQUE,
      v             smallint NOT NULL,
      command_id    text NOT NULL,
      parent        text,
      app           text NOT NULL,
      entity        text NOT NULL,
      entity_id     text NOT NULL,
      type          text NOT NULL,
      version       integer NOT NULL,
      prior_version integer NOT NULL,
      base_version  integer NOT NULL,
      patch         jsonb NOT NULL,
      submitted     jsonb NOT NULL,
      contested     text[] NOT NULL DEFAULT '{}',
      branch_ts     timestamptz NOT NULL,
      submit_ts     timestamptz NOT NULL,
      commit_ts     timestamptz NOT NULL,
      user_id       text NOT NULL,
      user_roles    text[] NOT NULL,
      device        text,
      trace_id      text,
      UNIQUE (app, entity, entity_id, version)
    )`.execute(db);
    await sql`CREATE INDEX events_commit_ts ON event_store.events (app, entity, entity_id, commit_ts)`.execute(db);

    await sql`CREATE TABLE event_store.streams (
      app            text NOT NULL,
      entity         text NOT NULL,
      entity_id      text NOT NULL,
      version        integer NOT NULL,
      state          jsonb NOT NULL,
      deleted        boolean NOT NULL DEFAULT false,
      last_commit_ts timestamptz NOT NULL,
      last_position  bigint NOT NULL,
      PRIMARY KEY (app, entity, entity_id)
    )`.execute(db);

    await sql`CREATE TABLE event_store.commands (
      app        text NOT NULL,
      user_id    text NOT NULL,
      command_id text NOT NULL,
      body_hash  text NOT NULL,
      result     jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (app, user_id, command_id)
    )`.execute(db);

    await sql`CREATE TABLE event_store.relay_checkpoint (
      stream     text PRIMARY KEY,
      position   bigint NOT NULL,
      stream_seq bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`DROP TABLE event_store.relay_checkpoint, event_store.commands, event_store.streams, event_store.events`.execute(db);
  },
};
