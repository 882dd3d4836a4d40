import type { Pool } from 'pg';
import type { MetaItems, ReadMetaRequest } from '@takes/contracts';

/**
 * The metadata read as a named prepared statement: planned once per connection, since
 * every workflows replica asks it for each burst of events (planning it cost more than
 * running it). $1 app or null, $2 LIKE pattern or null, $3 changed after this position.
 * The items and the store's last position come from one snapshot.
 */
const READ_META = {
  name: 'takes-read-meta-v1',
  text: `
    SELECT
      (SELECT coalesce(jsonb_agg(m ORDER BY m.last_position), '[]') FROM (
        SELECT s.app, s.entity_id, s.state, s.deleted, s.version, s.last_position, s.last_commit_ts,
               (SELECT e.commit_ts FROM event_store.events e
                WHERE e.app = s.app AND e.entity = s.entity AND e.entity_id = s.entity_id AND e.version = 1) AS created_at
        FROM event_store.streams s
        WHERE s.entity = '_meta' AND ($1::text IS NULL OR s.app = $1::text)
          AND ($2::text IS NULL OR s.entity_id LIKE $2::text)
          AND s.last_position > $3::bigint) m) AS items,
      (SELECT max(position) FROM event_store.events) AS position`,
};

/** A `_meta` stream head as the read aggregates it (timestamps as JSON text). */
interface MetaRow {
  app: string;
  entity_id: string;
  state: Record<string, unknown>;
  deleted: boolean;
  version: number;
  last_position: number;
  last_commit_ts: string;
  created_at: string;
}

/** Metadata items of an app (or all apps), optionally only keys with a prefix and only those written after a position. */
export async function readMeta(pool: Pool, request: ReadMetaRequest): Promise<MetaItems> {
  const pattern = request.key_prefix === undefined ? null : `${request.key_prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await pool.query<{ items: MetaRow[]; position: string | null }>({
    name: READ_META.name,
    text: READ_META.text,
    values: [request.app ?? null, pattern, request.changed_after ?? 0],
  });
  return {
    items: rows[0].items.map((row) => ({
      app: row.app,
      key: row.entity_id,
      definition: row.state,
      removed: row.deleted,
      version: row.version,
      position: Number(row.last_position),
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.last_commit_ts).toISOString(),
    })),
    position: Number(rows[0].position ?? 0),
  };
}
