import type { PoolClient } from 'pg';
import type { AppendCommand } from '@takes/contracts';
import type { StreamHead } from '@takes/decide';
import { withMetaItem, type MetaState } from '@takes/metadata';
import { streamKey } from './append-request';

/**
 * What the batch needs before it decides the records a transition creates (create_record
 * actions), which it did not know of when it began. First the target entities'
 * definitions with their rules, state machines and permissions, where the batch has not
 * loaded them (the app's metadata in `state`, updated in place).
 */
export async function loadActionEntities(conn: PoolClient, app: string, entities: readonly string[], state: { metadata: Map<string, MetaState> }, empty: MetaState): Promise<void> {
  for (const entity of new Set(entities)) {
    const current = state.metadata.get(app) ?? empty;
    if (!current.metadata.entities.has(entity)) state.metadata.set(app, await withEntityDefinitions(conn, app, entity, current));
  }
}

/**
 * Then the head of each created record whose stream exists (a key the action names),
 * locked as the batch's own heads are. A key made from the write is new: no row to lock.
 */
export async function lockActionHeads(conn: PoolClient, parts: readonly AppendCommand[], state: { heads: Map<string, StreamHead> }): Promise<void> {
  for (const part of parts) {
    const key = streamKey(part);
    if (state.heads.has(key)) continue;
    const { rows } = await conn.query<{ version: number; state: Record<string, unknown>; deleted: boolean; last_commit_ts: Date; last_position: string }>(
      `SELECT version, state, deleted, last_commit_ts, last_position FROM event_store.streams
       WHERE app = $1 AND entity = $2 AND entity_id = $3 FOR UPDATE`,
      [part.app, part.entity, part.entity_id],
    );
    const row = rows[0];
    if (row) state.heads.set(key, { version: row.version, state: row.state, deleted: row.deleted, lastCommitTs: row.last_commit_ts.toISOString(), lastPosition: Number(row.last_position) });
  }
}

/** The app's metadata with one more entity's definition and the rules, state machines and permissions that name it. */
async function withEntityDefinitions(conn: PoolClient, app: string, entity: string, metadata: MetaState): Promise<MetaState> {
  const { rows } = await conn.query<{ entity_id: string; state: Record<string, unknown> }>(
    `SELECT entity_id, state FROM event_store.streams
     WHERE app = $1 AND entity = '_meta' AND NOT deleted
       AND (entity_id = 'entity:' || $2
         OR ((entity_id LIKE 'rule:%' OR entity_id LIKE 'state_machine:%' OR entity_id LIKE 'permission:%')
             AND state->>'entity' = $2 AND state->'active' IS DISTINCT FROM 'false'::jsonb))
     ORDER BY entity_id <> 'entity:' || $2, last_position`,
    [app, entity],
  );
  return rows.reduce((folded, row) => withMetaItem(folded, { key: row.entity_id, definition: row.state, removed: false }), metadata);
}
