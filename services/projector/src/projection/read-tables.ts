import { escapeIdentifier as id, type ClientBase, type PoolClient } from 'pg';
import { dollarQuoted } from '@takes/db';
import type { EntityDefinition } from '@takes/metadata';
import { SYSTEM_COLUMNS as S, appSchema, columnValues, readColumns, type ProjectedRow } from '@takes/read-model';

/** PostgreSQL's identifier limit (NAMEDATALEN - 1): longer names are cut to this. */
const MAX_IDENTIFIER = 63;

/**
 * `"app_main"."inspections"`: identifiers come from validated metadata, quoted all the
 * same. `table` names another table of the same shape (a rebuild's new table).
 */
export function tableRef(app: string, entity: EntityDefinition, table = entity.table): string {
  return `${id(appSchema(app))}.${id(table)}`;
}

/** The name of a read table's index on one column, as PostgreSQL keeps it (cut to 63 characters). */
export function indexName(table: string, column: string): string {
  return `${table}_${column}_idx`.slice(0, MAX_IDENTIFIER);
}

/** The name PostgreSQL gives a table's primary key (`<table>_pkey`, the table name cut to fit). */
export function primaryKeyName(table: string): string {
  return `${table.slice(0, MAX_IDENTIFIER - '_pkey'.length)}_pkey`;
}

/**
 * Creates an entity's read table, or adds the columns of new fields (never drops one:
 * a removed field keeps its data). Indexes serve filters and sorts; there are no unique
 * indexes, as unique values are enforced by the event store at write time. `table`
 * overrides the table name (the DDL and index names follow it). `indexes: false` leaves
 * the filter and sort indexes out (a rebuild adds them once its table is filled, which
 * is cheaper than keeping them up to date row by row).
 */
export async function ensureReadTable(client: PoolClient, app: string, entity: EntityDefinition, table = entity.table, options: { indexes?: boolean } = {}): Promise<void> {
  const indexes = options.indexes ?? true;
  const ref = tableRef(app, entity, table);
  const columns = readColumns(entity);
  const pk = columns.find((c) => c.primaryKey)!;
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${id(appSchema(app))}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${ref} (
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
    await client.query(`ALTER TABLE ${ref} ADD COLUMN IF NOT EXISTS ${id(column.name)} ${column.type}`);
    if (column.indexed && indexes) {
      await client.query(`CREATE INDEX IF NOT EXISTS ${id(indexName(table, column.name))} ON ${ref} (${id(column.name)})`);
    }
  }
  if (indexes) await client.query(`CREATE INDEX IF NOT EXISTS ${id(indexName(table, S.updatedAt))} ON ${ref} (${S.updatedAt})`);
}

const KEY_PATTERNS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  integer: /^-?\d{1,10}$/,
  bigint: /^-?\d{1,19}$/,
};

/** The rows of the given records, locked for this batch. `table` overrides the table name. */
export async function loadRows(client: ClientBase, app: string, entity: EntityDefinition, ids: string[], table = entity.table): Promise<Map<string, ProjectedRow>> {
  return rowsFrom(await client.query<StoredRow>(loadRowsSql(app, entity, ids, table)));
}

interface StoredRow {
  id: string;
  state: Record<string, unknown>;
  version: number;
  deleted: boolean;
  updated_at: Date;
  position: string;
  applied: number;
}

/** loadRows' statement, with its ids written in (to send with other statements). */
export function loadRowsSql(app: string, entity: EntityDefinition, ids: string[], table = entity.table): string {
  const pk = id(entity.primary_key.field);
  // Compare in the key's own type so the primary key index serves the lookup; an id that
  // cannot be of that type has no row (it could never have been inserted).
  const keyType = readColumns(entity).find((c) => c.primaryKey)?.type ?? 'text';
  const valid = ids.filter((value) => (KEY_PATTERNS[keyType] ?? /./).test(value));
  return `SELECT ${pk}::text AS id, ${S.state} AS state, ${S.version} AS version, ${S.deleted} AS deleted,
            ${S.updatedAt} AS updated_at, ${S.position} AS position, ${S.applied} AS applied
     FROM ${tableRef(app, entity, table)}
     WHERE ${pk} = ANY(ARRAY(SELECT jsonb_array_elements_text(${dollarQuoted(JSON.stringify(valid))}::jsonb))::${keyType}[]) FOR UPDATE`;
}

/** The rows loadRowsSql's statement answered, by record id. */
export function rowsFrom(result: { rows: StoredRow[] }): Map<string, ProjectedRow> {
  return new Map(
    result.rows.map((r) => [r.id, { id: r.id, state: r.state, version: r.version, deleted: r.deleted, updatedAt: r.updated_at.toISOString(), position: Number(r.position), applied: r.applied }]),
  );
}

/**
 * Writes changed rows in one statement (insert or update by primary key). A stored row is
 * only replaced by a higher version: a row built without reading it first (rowsToLoad)
 * never takes a newer one back. `table` overrides the table name.
 */
export async function writeRows(client: ClientBase, app: string, entity: EntityDefinition, rows: ProjectedRow[], table = entity.table): Promise<void> {
  const statement = writeRowsSql(app, entity, rows, table);
  if (statement) await client.query(statement);
}

/** writeRows' statement, with its rows written in (to send with other statements); null when there are none. */
export function writeRowsSql(app: string, entity: EntityDefinition, rows: ProjectedRow[], table = entity.table): string | null {
  if (rows.length === 0) return null;
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
  return `INSERT INTO ${tableRef(app, entity, table)} (${names})
     SELECT ${names} FROM jsonb_to_recordset(${dollarQuoted(JSON.stringify(records))}::jsonb) AS r(${typed})
     ON CONFLICT (${id(pk)}) DO UPDATE SET ${updates}
     WHERE ${tableRef(app, entity, table)}.${S.version} < EXCLUDED.${S.version}`;
}

/** Whether a table of that name exists in the app's schema. */
export async function readTableExists(client: PoolClient, app: string, table: string): Promise<boolean> {
  const { rows } = await client.query<{ oid: string | null }>('SELECT to_regclass($1)::oid AS oid', [`${id(appSchema(app))}.${id(table)}`]);
  return rows[0]?.oid !== null && rows[0]?.oid !== undefined;
}

/** Drops a table of the app's schema if it is there (a rebuild's unfinished new table). */
export async function dropReadTable(client: PoolClient, app: string, table: string): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${id(appSchema(app))}.${id(table)}`);
}

/**
 * Puts `replacement` (a table built like the entity's read table) in place of the
 * entity's read table: the old one is renamed away and dropped, the new one renamed in,
 * and its indexes renamed to the names ensureReadTable gives them, so a later `CREATE
 * INDEX IF NOT EXISTS` finds them instead of adding twins. Run it in a transaction: a
 * reader waiting on the old table reads the new one once the transaction commits.
 */
export async function swapInReadTable(client: PoolClient, app: string, entity: EntityDefinition, replacement: string, oldName: string): Promise<void> {
  const schema = id(appSchema(app));
  if (await readTableExists(client, app, entity.table)) {
    if (await readTableExists(client, app, oldName)) throw new Error(`cannot rename ${entity.table} away: ${oldName} exists`);
    await client.query(`ALTER TABLE ${tableRef(app, entity)} RENAME TO ${id(oldName)}`);
    await client.query(`ALTER TABLE ${schema}.${id(replacement)} RENAME TO ${id(entity.table)}`);
    await client.query(`DROP TABLE ${schema}.${id(oldName)}`);
  } else {
    await client.query(`ALTER TABLE ${schema}.${id(replacement)} RENAME TO ${id(entity.table)}`);
  }
  const { rows } = await client.query<{ name: string; primary: boolean; column: string | null; columns: number }>(
    `SELECT c.relname AS name, i.indisprimary AS primary, a.attname AS column, i.indnatts AS columns
     FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid
     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
     WHERE i.indrelid = $1::regclass`,
    [tableRef(app, entity)],
  );
  for (const index of rows) {
    if (index.columns !== 1 || index.column === null) continue; // not one the projector makes
    const wanted = index.primary ? primaryKeyName(entity.table) : indexName(entity.table, index.column);
    if (index.name !== wanted) await client.query(`ALTER INDEX ${schema}.${id(index.name)} RENAME TO ${id(wanted)}`);
  }
}
