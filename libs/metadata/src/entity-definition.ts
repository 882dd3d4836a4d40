import type { ErrorDetail } from '@takes/contracts';
import { FIELD_TYPES, isFieldType, normalizeFieldValue, type FieldType } from './field-values';
import { identifierProblem } from './identifiers';
import { isJsonObject, type Parsed } from './parsed';

/** Rocket's primary key types (docs/metadata-schemas.md, "Primary Key Configuration"). */
export const PRIMARY_KEY_TYPES = ['uuid', 'int', 'bigint', 'string'] as const;
export type PrimaryKeyType = (typeof PRIMARY_KEY_TYPES)[number];

/** Takes: how a stale edit of an entity with history is merged (ARCHITECTURE.md). */
export const MERGE_POLICIES = ['field', 'longest-chain', 'reject'] as const;
export type MergePolicy = (typeof MERGE_POLICIES)[number];

/** Takes: what a stale write does to an entity with history off. */
export const STALE_WRITES = ['reject', 'overwrite'] as const;
export type StaleWrite = (typeof STALE_WRITES)[number];

/** Rocket's `auto`: "create" = now on insert; "update" = now on insert and on every update. */
export const AUTO_TIMESTAMPS = ['create', 'update'] as const;
export type AutoTimestamp = (typeof AUTO_TIMESTAMPS)[number];

/** The soft-delete column Rocket adds (and lets an entity declare) when soft_delete is on. */
export const SOFT_DELETE_FIELD = 'deleted_at';

/**
 * One field, as Rocket defines it. In the normalized form the flags appear only when
 * true, `default` only when set, `enum` only when non-empty, `precision` only when > 0
 * (as Rocket's Go structs print them, with omitempty).
 */
export interface FieldDefinition {
  readonly name: string;
  readonly type: FieldType;
  readonly required?: boolean;
  readonly unique?: boolean;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly enum?: readonly string[];
  readonly precision?: number;
  readonly auto?: AutoTimestamp;
}

export interface PrimaryKeyDefinition {
  readonly field: string;
  readonly type: PrimaryKeyType;
  readonly generated: boolean;
}

export interface SlugDefinition {
  readonly field: string;
  readonly source?: string;
  readonly regenerate_on_update?: boolean;
}

/** A field that a redefinition removed: hidden from the API, its data kept in the events. */
export interface RemovedField {
  readonly name: string;
  readonly type: FieldType;
}

/** An entity: Rocket's definition plus Takes' history, merge_policy and stale_write. */
export interface EntityDefinition {
  readonly name: string;
  readonly table: string;
  readonly primary_key: PrimaryKeyDefinition;
  readonly soft_delete: boolean;
  readonly slug?: SlugDefinition;
  readonly fields: readonly FieldDefinition[];
  /** Takes: keep every take and merge stale edits (default true). */
  readonly history: boolean;
  /** Takes: how stale edits merge when history is on (default 'field'). */
  readonly merge_policy: MergePolicy;
  /** Takes: what a stale write does when history is off (default 'reject'). */
  readonly stale_write: StaleWrite;
  /** Takes: fields removed by earlier redefinitions (see entityChanges); absent when none. */
  readonly removed_fields?: readonly RemovedField[];
}

export const DEFAULT_PRIMARY_KEY: PrimaryKeyDefinition = { field: 'id', type: 'uuid', generated: true };

function oneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** Collects the problems of one definition, each with the path of what is wrong. */
class Problems {
  readonly details: ErrorDetail[] = [];
  add(field: string, rule: string, message: string): void {
    this.details.push({ field, rule, message });
  }
  name(field: string, value: unknown, what: string, kind: 'field' | 'name' = 'field'): value is string {
    const problem = identifierProblem(value, what, kind);
    if (problem) this.add(field, problem.rule, problem.message);
    return problem === null;
  }
  /** An optional boolean: absent or null → the fallback. */
  flag(object: Record<string, unknown>, key: string, path: string, fallback: boolean): boolean {
    const value = object[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.add(path, 'type', `${path} must be true or false`);
      return fallback;
    }
    return value;
  }
  /** An optional choice among values: absent or null → the fallback. */
  choice<T extends string>(object: Record<string, unknown>, key: string, path: string, values: readonly T[], fallback: T): T {
    const value = object[key];
    if (value === undefined || value === null) return fallback;
    if (!oneOf(values, value)) {
      this.add(path, 'enum', `${path} must be one of: ${values.join(', ')}`);
      return fallback;
    }
    return value;
  }
}

/** Absent, null and "" (what Rocket's admin UI sends for an empty text box) all mean "not set". */
function unset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Rocket's admin UI edits a default in a text box and sends it as a string ("0",
 * "true"); Rocket's DDL (`DEFAULT '0'`) lets PostgreSQL read it as the column's type.
 * Takes reads such strings the same way before checking the default against the type.
 */
function coerceDefault(type: FieldType, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  switch (type) {
    case 'int':
    case 'bigint':
      return /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : value;
    case 'decimal':
      return value;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : value;
    case 'json':
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    default:
      return value;
  }
}

function parseField(raw: unknown, index: number, problems: Problems): FieldDefinition | null {
  const at = `fields[${index}]`;
  if (!isJsonObject(raw)) {
    problems.add(at, 'type', `${at} must be an object`);
    return null;
  }
  const nameOk = problems.name(`${at}.name`, raw.name, 'field name');
  let type: FieldType | null = null;
  if (raw.type === undefined || raw.type === null || raw.type === '') {
    problems.add(`${at}.type`, 'required', `${at}.type is required`);
  } else if (!isFieldType(raw.type)) {
    problems.add(`${at}.type`, 'enum', `${at}.type must be one of: ${FIELD_TYPES.join(', ')}`);
  } else {
    type = raw.type;
  }
  const required = problems.flag(raw, 'required', `${at}.required`, false);
  const unique = problems.flag(raw, 'unique', `${at}.unique`, false);
  const nullable = problems.flag(raw, 'nullable', `${at}.nullable`, false);
  if (!nameOk || type === null) return null;

  const field: {
    -readonly [K in keyof FieldDefinition]: FieldDefinition[K];
  } = { name: raw.name as string, type };
  if (required) field.required = true;
  if (unique) field.unique = true;
  if (nullable) field.nullable = true;

  if (!unset(raw.precision)) {
    const precision = raw.precision;
    if (type !== 'decimal') {
      problems.add(`${at}.precision`, 'precision', `${at}.precision is only for decimal fields`);
    } else if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 0 || precision > 18) {
      problems.add(`${at}.precision`, 'precision', `${at}.precision must be an integer from 0 to 18 (decimal places)`);
    } else if (precision > 0) {
      field.precision = precision;
    }
  }

  if (raw.enum !== undefined && raw.enum !== null) {
    const values = raw.enum;
    if (type !== 'string' && type !== 'text') {
      problems.add(`${at}.enum`, 'enum', `${at}.enum is only for string and text fields`);
    } else if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'string')) {
      problems.add(`${at}.enum`, 'enum', `${at}.enum must be a non-empty array of strings`);
    } else if (new Set(values).size !== values.length) {
      problems.add(`${at}.enum`, 'enum', `${at}.enum lists a value twice`);
    } else {
      field.enum = [...(values as string[])];
    }
  }

  if (!unset(raw.auto)) {
    if (!oneOf(AUTO_TIMESTAMPS, raw.auto)) {
      problems.add(`${at}.auto`, 'enum', `${at}.auto must be one of: ${AUTO_TIMESTAMPS.join(', ')}`);
    } else if (type !== 'timestamp' && type !== 'date') {
      problems.add(`${at}.auto`, 'auto', `${at}.auto is only for timestamp and date fields`);
    } else {
      field.auto = raw.auto;
    }
  }

  if (raw.default !== undefined && raw.default !== null) {
    if (field.auto) {
      problems.add(`${at}.default`, 'default', `${at} is set by the server (auto) and takes no default`);
    } else {
      const checked = normalizeFieldValue({ type, precision: field.precision }, coerceDefault(type, raw.default));
      if (!checked.ok) {
        problems.add(`${at}.default`, 'default', `${at}.default ${checked.message}`);
      } else if (field.enum && !field.enum.includes(checked.value as string)) {
        problems.add(`${at}.default`, 'default', `${at}.default must be one of: ${field.enum.join(', ')}`);
      } else {
        field.default = checked.value;
      }
    }
  }
  return field;
}

function parsePrimaryKey(raw: unknown, fields: readonly FieldDefinition[], problems: Problems): PrimaryKeyDefinition | null {
  if (raw === undefined || raw === null) return DEFAULT_PRIMARY_KEY;
  if (!isJsonObject(raw)) {
    problems.add('primary_key', 'type', 'primary_key must be an object {field, type, generated}');
    return null;
  }
  if (raw.fields !== undefined && raw.field === undefined) {
    problems.add('primary_key.fields', 'unsupported', 'composite primary keys are not supported; name one field');
    return null;
  }
  const field = unset(raw.field) ? DEFAULT_PRIMARY_KEY.field : raw.field;
  if (!problems.name('primary_key.field', field, 'primary key field')) return null;
  const declared = fields.find((f) => f.name === field);
  let type: PrimaryKeyType;
  if (unset(raw.type)) {
    type = declared && oneOf(PRIMARY_KEY_TYPES, declared.type) ? declared.type : DEFAULT_PRIMARY_KEY.type;
  } else if (!oneOf(PRIMARY_KEY_TYPES, raw.type)) {
    problems.add('primary_key.type', 'enum', `primary_key.type must be one of: ${PRIMARY_KEY_TYPES.join(', ')}`);
    return null;
  } else {
    type = raw.type;
  }
  const generated = problems.flag(raw, 'generated', 'primary_key.generated', false);
  return { field, type, generated };
}

/** Checks the primary key's own field, adding it when the definition leaves it out. */
function withPrimaryKeyField(
  fields: FieldDefinition[],
  primaryKey: PrimaryKeyDefinition,
  problems: Problems,
): FieldDefinition[] {
  const index = fields.findIndex((f) => f.name === primaryKey.field);
  if (index < 0) return [{ name: primaryKey.field, type: primaryKey.type, required: true }, ...fields];
  const field = fields[index];
  const at = `fields[${index}]`;
  if (field.type !== primaryKey.type) {
    problems.add(`${at}.type`, 'primary_key', `${at} is the primary key: its type must be ${primaryKey.type}`);
  }
  if (field.nullable) problems.add(`${at}.nullable`, 'primary_key', `${at} is the primary key and cannot be nullable`);
  if (field.auto) problems.add(`${at}.auto`, 'primary_key', `${at} is the primary key and cannot be auto`);
  if (field.default !== undefined) {
    problems.add(`${at}.default`, 'primary_key', `${at} is the primary key and takes no default`);
  }
  return fields;
}

function parseSlug(raw: unknown, fields: readonly FieldDefinition[], problems: Problems): SlugDefinition | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isJsonObject(raw)) {
    problems.add('slug', 'type', 'slug must be an object {field, source?, regenerate_on_update?}');
    return undefined;
  }
  const slugField = fields.find((f) => f.name === raw.field);
  if (typeof raw.field !== 'string' || !slugField) {
    problems.add('slug.field', 'unknown', `slug field "${String(raw.field)}" not found in fields`);
  } else {
    if (slugField.type !== 'string' && slugField.type !== 'text') {
      problems.add('slug.field', 'type', `slug field "${raw.field}" must be of type string or text`);
    }
    if (!slugField.unique) problems.add('slug.field', 'unique', `slug field "${raw.field}" must have unique: true`);
  }
  const slug: { field: string; source?: string; regenerate_on_update?: boolean } = { field: String(raw.field) };
  if (!unset(raw.source)) {
    if (typeof raw.source !== 'string' || !fields.some((f) => f.name === raw.source)) {
      problems.add('slug.source', 'unknown', `slug source field "${String(raw.source)}" not found in fields`);
    } else {
      slug.source = raw.source;
    }
  }
  if (problems.flag(raw, 'regenerate_on_update', 'slug.regenerate_on_update', false)) slug.regenerate_on_update = true;
  return slug;
}

function parseRemovedFields(raw: unknown, fields: readonly FieldDefinition[], problems: Problems): RemovedField[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.add('removed_fields', 'type', 'removed_fields must be an array of {name, type}');
    return [];
  }
  const removed: RemovedField[] = [];
  raw.forEach((entry, i) => {
    const at = `removed_fields[${i}]`;
    if (!isJsonObject(entry) || identifierProblem(entry.name, 'name') || !isFieldType(entry.type)) {
      problems.add(at, 'type', `${at} must be {name, type} of a field`);
      return;
    }
    const name = entry.name as string;
    if (fields.some((f) => f.name === name) || removed.some((r) => r.name === name)) return;
    removed.push({ name, type: entry.type });
  });
  return removed;
}

/**
 * Reads an entity definition as Rocket's admin API takes it (docs/metadata-schemas.md)
 * and returns it normalized, or one detail per problem (`{field: 'fields[2].type', rule,
 * message}`). Defaults: table = name; primary_key = {id, uuid, generated: true}; the
 * primary key's field is added (first, required) when `fields` leaves it out;
 * soft_delete false; history true; merge_policy 'field'; stale_write 'reject'.
 * Properties it does not know are dropped, as Rocket's Go server drops them.
 */
export function parseEntityDefinition(input: unknown): Parsed<EntityDefinition> {
  const problems = new Problems();
  if (!isJsonObject(input)) {
    return { ok: false, details: [{ rule: 'type', message: 'an entity definition must be a JSON object' }] };
  }
  const nameOk = problems.name('name', input.name, 'entity name', 'name');
  const name = input.name as string;
  const table = unset(input.table) ? name : input.table;
  if (nameOk || !unset(input.table)) problems.name('table', table, 'table name', 'name');

  const fields: FieldDefinition[] = [];
  if (!Array.isArray(input.fields)) {
    problems.add('fields', unset(input.fields) ? 'required' : 'type', 'fields must be an array of field definitions');
  } else {
    const seen = new Map<string, number>();
    input.fields.forEach((raw, index) => {
      const field = parseField(raw, index, problems);
      if (!field) return;
      const first = seen.get(field.name);
      if (first !== undefined) {
        problems.add(`fields[${index}].name`, 'duplicate', `field "${field.name}" is already defined at fields[${first}]`);
        return;
      }
      seen.set(field.name, index);
      fields.push(field);
    });
  }

  const softDelete = problems.flag(input, 'soft_delete', 'soft_delete', false);
  const deletedAt = fields.findIndex((f) => f.name === SOFT_DELETE_FIELD);
  if (softDelete && deletedAt >= 0 && fields[deletedAt].type !== 'timestamp') {
    problems.add(
      `fields[${deletedAt}].type`,
      'reserved',
      `${SOFT_DELETE_FIELD} belongs to soft delete: declare it as a timestamp or leave it out`,
    );
  }

  const primaryKey = parsePrimaryKey(input.primary_key, fields, problems);
  const allFields = primaryKey ? withPrimaryKeyField(fields, primaryKey, problems) : fields;
  if (primaryKey && softDelete && primaryKey.field === SOFT_DELETE_FIELD) {
    problems.add('primary_key.field', 'reserved', `${SOFT_DELETE_FIELD} belongs to soft delete`);
  }
  const slug = parseSlug(input.slug, allFields, problems);
  const history = problems.flag(input, 'history', 'history', true);
  const mergePolicy = problems.choice(input, 'merge_policy', 'merge_policy', MERGE_POLICIES, 'field');
  const staleWrite = problems.choice(input, 'stale_write', 'stale_write', STALE_WRITES, 'reject');
  const removed = parseRemovedFields(input.removed_fields, allFields, problems);

  if (problems.details.length > 0 || !primaryKey) return { ok: false, details: problems.details };
  return {
    ok: true,
    value: {
      name,
      table: table as string,
      primary_key: primaryKey,
      soft_delete: softDelete,
      ...(slug ? { slug } : {}),
      fields: allFields,
      history,
      merge_policy: mergePolicy,
      stale_write: staleWrite,
      ...(removed.length > 0 ? { removed_fields: removed } : {}),
    },
  };
}

const ENTITY_KEYS = ['name', 'table', 'primary_key', 'soft_delete', 'slug', 'fields', 'history', 'merge_policy', 'stale_write', 'removed_fields'];
const PRIMARY_KEY_KEYS = ['field', 'type', 'generated', 'fields'];
const FIELD_KEYS = ['name', 'type', 'required', 'unique', 'default', 'nullable', 'enum', 'precision', 'auto'];
const SLUG_KEYS = ['field', 'source', 'regenerate_on_update'];
const REMOVED_FIELD_KEYS = ['name', 'type'];

function unknownKeys(value: unknown, known: readonly string[], at: string, problems: Problems): void {
  if (!isJsonObject(value)) return;
  for (const key of Object.keys(value)) {
    const path = at ? `${at}.${key}` : key;
    if (!known.includes(key)) problems.add(path, 'unknown', `unknown property ${path}`);
  }
}

/**
 * What a new entity definition, as a client sends it, must pass besides
 * parseEntityDefinition (whose lenient reading stays for definitions stored before these
 * checks): no property Takes does not know, at any level (a typo such as `soft_delet`
 * would otherwise be dropped without a word), and no contradictory settings: a
 * merge_policy other than `field` needs history on (merges need the takes), and
 * `stale_write: "overwrite"` needs history off (with history on, stale edits merge).
 * The defaults Takes itself prints (`merge_policy: "field"`, `stale_write: "reject"`)
 * are never contradictory, so a definition read back is accepted as it is.
 */
export function entityAdmissionProblems(input: unknown): ErrorDetail[] {
  const problems = new Problems();
  if (!isJsonObject(input)) return [];
  unknownKeys(input, ENTITY_KEYS, '', problems);
  unknownKeys(input.primary_key, PRIMARY_KEY_KEYS, 'primary_key', problems);
  unknownKeys(input.slug, SLUG_KEYS, 'slug', problems);
  if (Array.isArray(input.fields)) input.fields.forEach((field, i) => unknownKeys(field, FIELD_KEYS, `fields[${i}]`, problems));
  if (Array.isArray(input.removed_fields)) input.removed_fields.forEach((field, i) => unknownKeys(field, REMOVED_FIELD_KEYS, `removed_fields[${i}]`, problems));
  const history = input.history !== false;
  if (!history && !unset(input.merge_policy) && input.merge_policy !== 'field') {
    problems.add('merge_policy', 'contradiction', `merge_policy "${String(input.merge_policy)}" needs history: true (with history off, stale_write decides)`);
  }
  if (history && input.stale_write === 'overwrite') {
    problems.add('stale_write', 'contradiction', 'stale_write "overwrite" needs history: false (with history on, stale edits are merged by merge_policy)');
  }
  return problems.details;
}

/** The declared field of that name, or undefined (removed fields are not declared). */
export function fieldOf(entity: EntityDefinition, name: string): FieldDefinition | undefined {
  return entity.fields.find((f) => f.name === name);
}

/**
 * Fields the server sets and a client cannot: `auto` timestamps, and `deleted_at` of a
 * soft-delete entity. Rocket silently drops client values for them.
 */
export function isManagedField(entity: EntityDefinition, field: FieldDefinition): boolean {
  return field.auto !== undefined || (entity.soft_delete && field.name === SOFT_DELETE_FIELD);
}

