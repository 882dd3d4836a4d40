import { normalizeFieldValue, type EntityDefinition, type FieldDefinition, type FieldType } from '@takes/metadata';

/**
 * An entity's read table: one column per field (named as the field), plus the system
 * columns every row has. Tables live in the app's schema (`app_<name>`), named by the
 * entity's `table`.
 */
export const SYSTEM_COLUMNS = {
  /** The record's whole state as JSON (what responses are made from, exact to the event store). */
  state: '_state',
  /** The stream version this row reflects: the per-stream checkpoint. */
  version: '_version',
  /** Commit time of the last event applied. */
  updatedAt: '_updated_at',
  /** Global position of the last event applied. */
  position: '_position',
  /** How many events were applied to this row (equals _version unless one was applied twice). */
  applied: '_applied',
  /** Deleted (a tombstone) for entities without soft delete; such rows are hidden. */
  deleted: '_deleted',
} as const;

export const SOFT_DELETE_COLUMN = 'deleted_at';

const PG_TYPES: Record<FieldType, string> = {
  string: 'text',
  text: 'text',
  int: 'integer',
  bigint: 'bigint',
  decimal: 'numeric',
  boolean: 'boolean',
  uuid: 'uuid',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'jsonb',
  file: 'jsonb',
};

/** Field types that get a b-tree index for filters and sorts (not free text or JSON). */
const INDEXED: FieldType[] = ['string', 'int', 'bigint', 'decimal', 'boolean', 'uuid', 'timestamp', 'date'];

export interface ReadColumn {
  name: string;
  /** The PostgreSQL type, e.g. `numeric(18,2)`. */
  type: string;
  primaryKey: boolean;
  indexed: boolean;
}

function pgType(field: FieldDefinition): string {
  if (field.type === 'decimal') return `numeric(18,${field.precision ?? 0})`;
  return PG_TYPES[field.type as FieldType] ?? 'jsonb';
}

/** The field columns of an entity's read table. Removed fields keep their columns (they are never dropped). */
export function readColumns(entity: EntityDefinition): ReadColumn[] {
  const pk = entity.primary_key.field;
  const fields = [...entity.fields, ...(entity.removed_fields ?? []).map((f) => ({ name: f.name, type: f.type }) as FieldDefinition)];
  const columns = fields.map((field) => ({
    name: field.name,
    type: pgType(field),
    primaryKey: field.name === pk,
    indexed: field.name !== pk && INDEXED.includes(field.type as FieldType),
  }));
  if (entity.soft_delete && !columns.some((c) => c.name === SOFT_DELETE_COLUMN)) {
    columns.push({ name: SOFT_DELETE_COLUMN, type: 'timestamptz', primaryKey: false, indexed: true });
  }
  return columns;
}

/** Each column with the field it is filled from (none: a removed field's column, or deleted_at). */
type ColumnPlan = { name: string; field: FieldDefinition | undefined }[];

/** Plans per definition: a batch writes many rows of one entity, and definitions are immutable. */
const plans = new WeakMap<EntityDefinition, ColumnPlan>();

function columnPlan(entity: EntityDefinition): ColumnPlan {
  let plan = plans.get(entity);
  if (!plan) {
    const fields = new Map(entity.fields.map((f) => [f.name, f]));
    plan = readColumns(entity).map((column) => ({ name: column.name, field: fields.get(column.name) }));
    plans.set(entity, plan);
  }
  return plan;
}

/**
 * Column values for a record state: each field's value normalized to its type (JSON
 * values stay JSON; the SQL reads them as jsonb); a value that does not fit (data kept
 * from an older definition) becomes null instead of stopping the projection.
 */
export function columnValues(entity: EntityDefinition, state: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const { name, field } of columnPlan(entity)) {
    const raw = state[name];
    if (raw === undefined || raw === null || !field) {
      values[name] = raw === undefined || !field ? (name === SOFT_DELETE_COLUMN ? (state[name] ?? null) : null) : null;
      continue;
    }
    const checked = normalizeFieldValue({ type: field.type, precision: field.precision }, raw);
    values[name] = checked.ok ? checked.value : null;
  }
  return values;
}
