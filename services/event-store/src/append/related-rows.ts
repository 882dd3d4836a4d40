import type { PoolClient } from 'pg';
import { TakesError, type AppendCommand } from '@takes/contracts';
import { MAX_RELATED_ROWS, relatedLookups, relatedView, type StreamHead } from '@takes/decide';
import { applyClientPatch } from '@takes/merge';
import { applyMetaChange, rulesOf, type AppMetadata, type EntityDefinition } from '@takes/metadata';

/** The record as the write will likely leave it, for finding its related records by key (decide makes the real one). */
function probableState(command: AppendCommand, head: StreamHead | null): Record<string, unknown> {
  const current = head?.state ?? {};
  switch (command.op) {
    case 'create':
      return command.data ?? {};
    case 'put':
      return { ...current, ...(command.data ?? {}) };
    case 'patch': {
      const patched = applyClientPatch(current, command.patch ?? []);
      return patched instanceof TakesError ? current : patched;
    }
    default:
      return current;
  }
}

/**
 * What the entity's rules' related_load asks for, read inside the append transaction:
 * the committed heads of the related records (event_store.streams, not the read tables,
 * which lag), with this batch's own earlier writes laid over them (a record this batch
 * created, changed or deleted is seen as the batch left it). Related records are read,
 * not locked. Undefined when no active rule of the entity loads anything.
 */
export async function loadRelated(
  conn: PoolClient,
  command: AppendCommand,
  head: StreamHead | null,
  entity: EntityDefinition,
  metadata: AppMetadata,
  batchHeads: ReadonlyMap<string, StreamHead>,
): Promise<Record<string, unknown> | undefined> {
  const withRelations = await withRelatedDefinitions(conn, command.app, entity, metadata);
  if (!withRelations) return undefined;
  metadata = withRelations;
  const lookups = relatedLookups(metadata, entity, probableState(command, head));
  if (lookups.length === 0) return undefined;
  const found = new Map<string, Record<string, unknown>[]>();
  for (const lookup of lookups) {
    if (lookup.value === null) continue;
    const { rows } = await conn.query<{ entity_id: string; state: Record<string, unknown> }>(
      `SELECT entity_id, state FROM event_store.streams
       WHERE app = $1 AND entity = $2 AND NOT deleted AND state->>$3 = $4
       ORDER BY entity_id LIMIT $5`,
      [command.app, lookup.entity, lookup.field, lookup.value, MAX_RELATED_ROWS + 1],
    );
    const byId = new Map(rows.map((row) => [row.entity_id, row.state]));
    for (const [key, written] of batchHeads) {
      const [app, name, id] = JSON.parse(key) as [string, string, string];
      if (app !== command.app || name !== lookup.entity) continue;
      const matches = !written.deleted && String(written.state[lookup.field] ?? '') === lookup.value;
      if (matches) byId.set(id, written.state);
      else byId.delete(id);
    }
    if (byId.size > MAX_RELATED_ROWS) {
      throw new TakesError('VALIDATION_FAILED', 'validation failed', [
        { field: lookup.name, rule: 'related_load', message: `more than ${MAX_RELATED_ROWS} ${lookup.entity} records to load for ${lookup.name}` },
      ]);
    }
    found.set(lookup.name, [...byId.values()]);
  }
  return relatedView(metadata, lookups, found);
}

/** `_meta` records of the app by key (live ones), read in the append transaction. */
async function metaRecords(conn: PoolClient, app: string, keys: string[]): Promise<Map<string, { state: Record<string, unknown>; position: number }>> {
  if (keys.length === 0) return new Map();
  const { rows } = await conn.query<{ entity_id: string; state: Record<string, unknown>; last_position: string }>(
    `SELECT entity_id, state, last_position FROM event_store.streams WHERE app = $1 AND entity = '_meta' AND entity_id = ANY($2) AND NOT deleted`,
    [app, keys],
  );
  return new Map(rows.map((row) => [row.entity_id, { state: row.state, position: Number(row.last_position) }]));
}

/**
 * The batch loads only the definitions of the entities it writes; a rule's related_load
 * also needs its relations and the related entities (their decimal fields). Read here,
 * only for an entity whose active rules load something; null when none does.
 */
async function withRelatedDefinitions(conn: PoolClient, app: string, entity: EntityDefinition, metadata: AppMetadata): Promise<AppMetadata | null> {
  const names = [...new Set(rulesOf(metadata, entity.name).filter((rule) => rule.active).flatMap((rule) => rule.relatedLoad.map((load) => load.relation)))];
  if (names.length === 0) return null;
  const missing = names.filter((name) => !metadata.relations.has(name));
  const relations = await metaRecords(conn, app, missing.map((name) => `relation:${name}`));
  const ends = new Set<string>();
  for (const { state } of relations.values()) for (const end of [state.source, state.target]) if (typeof end === 'string' && !metadata.entities.has(end)) ends.add(end);
  const entities = await metaRecords(conn, app, [...ends].map((name) => `entity:${name}`));
  // Folded into a copy for this write only, entities first (a relation's ends must exist).
  let extended = metadata;
  for (const [key, { state }] of [...entities, ...relations]) extended = applyMetaChange(extended, { key, definition: state, position: extended.position });
  return extended;
}
