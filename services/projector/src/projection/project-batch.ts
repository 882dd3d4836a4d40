import type { PoolClient } from 'pg';
import type { DeferredStatements } from '@takes/db';
import { evolve, type TakesEvent } from '@takes/contracts';
import { LINK_ENTITY_PREFIX, isLinkEntity, linkEntityDefinition, linkEntityName, type EntityDefinition, type RelationDefinition } from '@takes/metadata';
import { eventStanding, projectedRow, rowsToLoad, type ProjectedRow } from '@takes/read-model';
import type { EntityRegistry } from './entity-registry';
import { ensureReadTable, loadRowsSql, rowsFrom, writeRowsSql } from './read-tables';

/** Reads the events of one record from a version on (to fill a gap). */
export type ReadStream = (app: string, entity: string, entityId: string, fromVersion: number, toVersion: number) => Promise<TakesEvent[]>;

/** Reads a relation's current definition from the event store (null: there is none). */
export type ReadRelation = (app: string, name: string) => Promise<RelationDefinition | null>;

export interface BatchResult {
  applied: number;
  skipped: number;
  gapsFilled: number;
}

/** Rows of one entity touched by the batch, loaded once and written once. */
class TableRows {
  readonly rows = new Map<string, ProjectedRow>();
  readonly changed = new Set<string>();
  constructor(readonly app: string, readonly entity: EntityDefinition) {}
}

/**
 * Applies a batch of events to the read tables in one transaction, with the watermark:
 * a redelivered or older event changes nothing (per-row version), a gap is filled from
 * the event store first, and metadata events create or extend tables as they come.
 * The rows' writes are left waiting in `statements`, to go out with what the caller
 * sends next (the watermark and COMMIT): a batch of record events takes one round trip
 * for the rows it reads and one for everything it writes.
 */
export async function projectBatch(
  statements: DeferredStatements<PoolClient>,
  events: TakesEvent[],
  registry: EntityRegistry,
  readStream: ReadStream,
  readRelation?: ReadRelation,
): Promise<BatchResult> {
  const result: BatchResult = { applied: 0, skipped: 0, gapsFilled: 0 };
  const tables = new Map<string, TableRows>();

  const tableOf = async (event: TakesEvent): Promise<TableRows | undefined> => {
    const entity = registry.get(event.app, event.entity);
    if (!entity) return undefined;
    const key = `${event.app}\u001f${event.entity}`;
    let table = tables.get(key);
    if (!table) {
      table = new TableRows(event.app, entity);
      tables.set(key, table);
      const ids = rowsToLoad(events.filter((e) => e.app === event.app && e.entity === event.entity));
      if (ids.length > 0) for (const [id, row] of rowsFrom(await statements.query(loadRowsSql(event.app, entity, ids)))) table.rows.set(id, row);
    }
    return table;
  };

  /** Leaves the changed rows' writes waiting in `statements`. */
  const stageWrites = () => {
    for (const table of tables.values()) {
      const write = writeRowsSql(table.app, table.entity, [...table.changed].map((id) => table.rows.get(id)!));
      if (write) statements.defer(write);
    }
    tables.clear();
  };
  /** The connection for a metadata event's work, once the rows before it are written. */
  const flush = async (): Promise<PoolClient> => {
    stageWrites();
    return statements.connection();
  };

  /** Applies one record event to its row, after filling any gap before it. */
  const applyRecordEvent = async (event: TakesEvent): Promise<void> => {
    let table = await tableOf(event);
    if (!table && isLinkEntity(event.entity) && readRelation && !registry.last(event.app, event.entity)) {
      // A link of a relation defined before this projector made join tables: make its
      // join table now, from the relation as the store holds it.
      const relation = await readRelation(event.app, event.entity.slice(LINK_ENTITY_PREFIX.length));
      if (relation) {
        await stageJoinTable(await flush(), registry, event.app, relation, event.position);
        table = await tableOf(event);
      }
    }
    if (!table) {
      result.skipped += 1; // an entity removed (or never defined) here: its events have no table
      return;
    }
    const standing = eventStanding(table.rows.get(event.entity_id), event.version);
    if (standing === 'skip') {
      result.skipped += 1;
      return;
    }
    if (standing === 'gap') {
      const from = (table.rows.get(event.entity_id)?.version ?? 0) + 1;
      const missing = await readStream(event.app, event.entity, event.entity_id, from, event.version - 1);
      for (const earlier of missing) {
        table.rows.set(event.entity_id, projectOne(table.rows.get(event.entity_id), earlier));
        result.gapsFilled += 1;
      }
      if ((table.rows.get(event.entity_id)?.version ?? 0) !== event.version - 1) {
        throw new Error(`cannot fill the gap before ${event.entity}/${event.entity_id} v${event.version}`);
      }
    }
    table.rows.set(event.entity_id, projectOne(table.rows.get(event.entity_id), event));
    table.changed.add(event.entity_id);
    result.applied += 1;
  };

  for (const event of events) {
    switch (event.type) {
      case 'defined':
        if (await defineReadTable(await flush(), registry, event)) result.applied += 1;
        else result.skipped += 1;
        break;
      case 'removed':
        if (await removeEntity(await flush(), registry, event)) result.applied += 1;
        else result.skipped += 1;
        break;
      default:
        // Every record event (created, updated, merged, shelved, lost_update, deleted,
        // restored, resolved, and types this build does not know): its row, as evolve has it.
        await applyRecordEvent(event);
    }
  }
  stageWrites();
  return result;
}

/**
 * A record event applied to its row: live batches, gap filling and rebuilds all use it.
 * What each event type does to the record is EVENT_EFFECTS' (evolve, @takes/contracts);
 * projectedRow keeps the row's version, `_deleted` and `_applied`.
 */
export function projectOne(row: ProjectedRow | undefined, event: TakesEvent): ProjectedRow {
  return projectedRow(row, event);
}

/** `defined` on `_meta` `entity:<name>`: create or extend the read table; `relation:<name>`: a many_to_many's join table. */
async function defineReadTable(client: PoolClient, registry: EntityRegistry, event: TakesEvent): Promise<boolean> {
  if (event.entity_id.startsWith('relation:')) return defineJoinTable(client, registry, event);
  if (!event.entity_id.startsWith('entity:')) return false;
  const name = event.entity_id.slice('entity:'.length);
  if (event.position <= registry.position(event.app, name)) return false;
  const definition = applyDefinition(registry.last(event.app, name), event);
  await ensureReadTable(client, event.app, definition);
  await registry.stage(client, event.app, name, definition, false, event.position);
  return true;
}

/**
 * `defined` on `_meta` `relation:<name>`: a many_to_many relation's links are records of
 * the entity `_link_<name>`, whose read table is the relation's join table (a define sets
 * the whole definition, so the event's submitted values are the relation). A relation
 * that is no longer many_to_many leaves its join table, no longer fed.
 */
async function defineJoinTable(client: PoolClient, registry: EntityRegistry, event: TakesEvent): Promise<boolean> {
  const name = linkEntityName(event.entity_id.slice('relation:'.length));
  if (event.position <= registry.position(event.app, name)) return false;
  return stageJoinTable(client, registry, event.app, event.submitted as unknown as RelationDefinition, event.position);
}

/** Makes a many_to_many relation's join table and registers its link entity (or retires it when the relation is no longer one). */
async function stageJoinTable(client: PoolClient, registry: EntityRegistry, app: string, relation: RelationDefinition, position: number): Promise<boolean> {
  const name = linkEntityName(relation.name);
  const link = linkEntityDefinition(relation, registry.last(app, relation.source), registry.last(app, relation.target));
  if (!link) {
    const last = registry.last(app, name);
    if (!last) return false;
    await registry.stage(client, app, name, last, true, position);
    return true;
  }
  await ensureReadTable(client, app, link);
  await registry.stage(client, app, name, link, false, position);
  return true;
}

/**
 * `removed` on `_meta` `entity:<name>`: the entity is gone from the API; its table and
 * data stay. `relation:<name>`: its join table (if any) is no longer fed.
 */
async function removeEntity(client: PoolClient, registry: EntityRegistry, event: TakesEvent): Promise<boolean> {
  const kind = event.entity_id.startsWith('entity:') ? 'entity:' : event.entity_id.startsWith('relation:') ? 'relation:' : null;
  if (!kind) return false;
  const name = kind === 'entity:' ? event.entity_id.slice(kind.length) : linkEntityName(event.entity_id.slice(kind.length));
  const last = registry.last(event.app, name);
  if (!last || event.position <= registry.position(event.app, name)) return false;
  await registry.stage(client, event.app, name, last, true, event.position);
  return true;
}

/** A `defined` event's patch takes the previous definition (removed or not) to the new one. */
function applyDefinition(previous: EntityDefinition | undefined, event: TakesEvent): EntityDefinition {
  if (event.prior_version > 0 && !previous) throw new Error(`${event.app} ${event.entity_id}: version ${event.prior_version} was never projected`);
  const base = event.prior_version === 0 ? {} : (previous as unknown as Record<string, unknown>);
  return evolve({ version: event.prior_version, state: base, deleted: false }, event).state as unknown as EntityDefinition;
}
