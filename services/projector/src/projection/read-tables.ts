import { escapeIdentifier as id, type PoolClient } from 'pg';
import type { EntityDefinition } from '@takes/metadata';
import { SYSTEM_COLUMNS as S, appSchema, columnValues, readColumns, type ProjectedRow } from '@takes/read-model';

/** `"app_main"."inspections"`: identifiers come from validated metadata, quoted all the same. */
export function tableRef(app: string, entity: EntityDefinition): string {
  return `${id(appSchema(app))}.${id(entity.table)}`;
}

/**
 * Creates an entity's read table, or adds the columns of new fields (never drops one:
 * a removed field keeps its data). Indexes serve filters and sorts; there are no unique
 * indexes, as unique values are enforced by the event store at write time.
 */
export async function ensureReadTable(client: PoolClient, app: string, entity: EntityDefinition): Promise<void> {
  const table = tableRef(app, entity);
  const columns = readColumns(entity);
  const pk = columns.find((c) => c.primaryKey)!;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${id(appSchema(app))}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
    ${id(pk.name)} ${pk.type} PRIMARY KEY,
    ${S.state} jsonb NOT NULL,
    ${S.version} integer NOT NULL,
    ${S.updatedAt} timestamptz NOT NULL,
    ${S.position} bigint NOT NULL,
    ${S.applied} integer NOT NULL DEFAULT 0,
    ${S.deleted} boolean NOT NULL DEFAULT false
  )`);
  for (const column of columns) {
    if (column.primaryKey) continue;
    await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${id(column.name)} ${column.type}`);
    if (column.indexed) {
      await client.query(`CREATE INDEX IF NOT EXISTS ${id(`${entity.table}_${column.name}_idx`)} ON ${table} (${id(column.name)})`);
    }
  }
  await client.query(`CREATE INDEX IF NOT EXISTS ${id(`${entity.table}__updated_at_idx`)} ON ${table} (${S.updatedAt})`);
}

/** The rows of the given records, locked for this batch. */
export async function loadRows(client: PoolClient, app: string, entity: EntityDefinition, ids: string[]): Promise<Map<string, ProjectedRow>> {
  const pk = id(entity.primary_key.field);
  const { rows } = await client.query<{ id: string; state: Record<string, unknown>; version: number; deleted: boolean; updated_at: Date; position: string; applied: number }>(
    `SELECT ${pk}::text AS id, ${S.state} AS state, ${S.version} AS version, ${S.deleted} AS deleted,
            ${S.updatedAt} AS updated_at, ${S.position} AS position, ${S.applied} AS applied
     FROM ${tableRef(app, entity)} WHERE ${pk}::text = ANY($1::text[]) FOR UPDATE`,
    [ids],
  );
  return new Map(
    rows.map((r) => [r.id, { id: r.id, state: r.state, version: r.version, deleted: r.deleted, updatedAt: r.updated_at.toISOString(), position: Number(r.position), applied: r.applied }]),
  );
}

/** Writes changed rows in one statement (insert or update by primary key). */
export async function writeRows(client: PoolClient, app: string, entity: EntityDefinition, rows: ProjectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = readColumns(entity);
  const pk = entity.primary_key.field;
  const records = rows.map((row) => ({
    ...columnValues(entity, row.state),
    [pk]: row.state[pk] ?? row.id,
    ...(entity.soft_delete ? { deleted_at: row.deleted ? (row.state.deleted_at ?? row.updatedAt) : null } : {}),
    [S.state]: row.state,
    [S.version]: row.version,
    [S.updatedAt]: row.updatedAt,
    [S.position]: row.position,
    [S.applied]: row.applied,
    [S.deleted]: row.deleted,
  }));
  const all = [...columns.map((c) => ({ name: c.name, type: c.type })), { name: S.state, type: 'jsonb' }, { name: S.version, type: 'integer' }, { name: S.updatedAt, type: 'timestamptz' }, { name: S.position, type: 'bigint' }, { name: S.applied, type: 'integer' }, { name: S.deleted, type: 'boolean' }];
  const names = all.map((c) => id(c.name)).join(', ');
  const typed = all.map((c) => `${id(c.name)} ${c.type}`).join(', ');
  const updates = all.filter((c) => c.name !== pk).map((c) => `${id(c.name)} = EXCLUDED.${id(c.name)}`).join(', ');
  await client.query(
    `INSERT INTO ${tableRef(app, entity)} (${names})
     SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS r(${typed})
     ON CONFLICT (${id(pk)}) DO UPDATE SET ${updates}`,
    [JSON.stringify(records)],
  );
}
