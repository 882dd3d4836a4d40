import type { Pool } from 'pg';
import type { MetaItems, ReadMetaRequest } from '@takes/contracts';

/**
 * The metadata read. One app's (what every workflows replica asks for each change of its
 * app's metadata) is a named prepared statement, planned once per connection; its
 * conditions name the app, so even the plan made for any parameters looks the app's
 * `_meta` records up by key. Every app's (a registry starting) is planned each time.
 * $1 app, $2 LIKE pattern ('%' for every key), $3 changed after this position. The items
 * and the store's last position come from one snapshot.
 */
const META_COLUMNS = `s.app, s.entity_id, s.state, s.deleted, s.version, s.last_position, s.last_commit_ts,
  (SELECT e.commit_ts FROM event_store.events e
   WHERE e.app = s.app AND e.entity = s.entity AND e.entity_id = s.entity_id AND e.version = 1) AS created_at`;

const readMetaSql = (apps: string) => `
    SELECT
      (SELECT coalesce(jsonb_agg(m ORDER BY m.last_position), '[]') FROM (
        SELECT ${META_COLUMNS}
        FROM event_store.streams s
        WHERE ${apps} AND s.entity = '_meta' AND s.entity_id LIKE $2::text AND s.last_position > $3::bigint) m) AS items,
      (SELECT max(position) FROM event_store.events) AS position`;

export const READ_APP_META = { name: 'takes-read-app-meta-v1', text: readMetaSql('s.app = $1::text') };
const READ_ALL_META = readMetaSql('$1::text IS NULL');

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
  const pattern = `${(request.key_prefix ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const values = [request.app ?? null, pattern, request.changed_after ?? 0];
  const { rows } = await pool.query<{ items: MetaRow[]; position: string | null }>(
    request.app === undefined ? { text: READ_ALL_META, values } : { ...READ_APP_META, values },
  );
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
