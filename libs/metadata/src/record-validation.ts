import { TakesError, type ErrorDetail } from '@takes/contracts';
import {
  isManagedField,
  SOFT_DELETE_FIELD,
  type EntityDefinition,
  type FieldDefinition,
} from './entity-definition';
import { autoValue, normalizeFieldValue } from './field-values';
import { hasOwn, isJsonObject, type Parsed } from './parsed';

export type RecordOp = 'create' | 'put';

export interface RecordWriteOptions {
  /**
   * put: the id of the record written (the command's entity_id). When given, a primary
   * key in the body must equal it; when not, a primary key in the body is dropped
   * unchecked, as Rocket drops it.
   */
  id?: string | number;
}

export type RecordWriteCheck = { ok: true; value: Record<string, unknown> } | { ok: false; error: TakesError };

function isBlank(value: unknown): boolean {
  return value === null || value === '';
}

/** Null or "" in a field that must have a value (Rocket: `required` and not `nullable`). */
function needsValue(field: FieldDefinition): boolean {
  return field.required === true && field.nullable !== true;
}

/**
 * One value of one field: normalized, or the problem. Null is allowed unless the field
 * is required and not nullable; "" in such a field counts as missing (Rocket).
 */
function checkValue(field: FieldDefinition, value: unknown): { ok: true; value: unknown } | { ok: false; detail: ErrorDetail } {
  if (isBlank(value) && needsValue(field)) {
    return { ok: false, detail: { field: field.name, rule: 'required', message: `${field.name} is required` } };
  }
  if (value === null) return { ok: true, value: null };
  const checked = normalizeFieldValue(field, value);
  if (!checked.ok) {
    return { ok: false, detail: { field: field.name, rule: checked.rule, message: `${field.name} ${checked.message}` } };
  }
  if (field.enum && !field.enum.includes(checked.value as string)) {
    return {
      ok: false,
      detail: { field: field.name, rule: 'enum', message: `${field.name} must be one of: ${field.enum.join(', ')}` },
    };
  }
  return checked;
}

function unknownField(key: string): ErrorDetail {
  return { field: key, rule: 'unknown', message: `Unknown field: ${key}` };
}

/** The one spelling of a primary key value, to compare a body's key with the record's id. */
function keyText(field: FieldDefinition, value: unknown): string {
  const text = String(value);
  if (field.type === 'uuid') return text.toLowerCase();
  if ((field.type === 'int' || field.type === 'bigint') && /^[+-]?\d+$/.test(text)) return BigInt(text).toString();
  return text;
}

function inFieldOrder(entity: EntityDefinition, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of entity.fields) {
    if (hasOwn(values, field.name)) out[field.name] = values[field.name];
  }
  return out;
}

/**
 * Checks the body of a create (POST) or put (PUT) against its entity, as Rocket does, and
 * returns the values to write, normalized, in the entity's field order. Every problem is
 * collected: one 422 VALIDATION_FAILED with a detail each. A body that is not a JSON
 * object is 400 INVALID_PAYLOAD.
 *
 * - A key that is not a declared field (removed fields included) → rule 'unknown'.
 *   Nested-write relation keys are the caller's to take out first.
 * - Values: see normalizeFieldValue (rule 'type' or 'precision'), then `enum`.
 * - Null clears a field, unless it is required and not nullable (rule 'required'; "" too).
 * - Server-set fields (`auto`, and `deleted_at` of a soft-delete entity) are silently
 *   dropped from the body (Rocket ignores them); on create every auto field is set to
 *   `now`, on put the `auto: "update"` ones.
 * - create: fields left out take their `default`; a required field left out with no
 *   default → 'required'. A generated primary key left out (or null) stays out: the
 *   gateway makes one; given, it must fit its type.
 * - put: fields left out are kept by the store, so only given ones are checked; the
 *   primary key cannot change (rule 'immutable'), and is not part of the result.
 */
export function validateRecordWrite(
  entity: EntityDefinition,
  op: RecordOp,
  data: unknown,
  now: Date,
  options: RecordWriteOptions = {},
): RecordWriteCheck {
  if (!isJsonObject(data)) {
    return { ok: false, error: new TakesError('INVALID_PAYLOAD', 'the body must be a JSON object') };
  }
  const details: ErrorDetail[] = [];
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const fields = new Map(entity.fields.map((f) => [f.name, f]));
  const pk = entity.primary_key;

  for (const key of Object.keys(data)) {
    const field = fields.get(key);
    if (!field) {
      details.push(unknownField(key));
      continue;
    }
    const raw = data[key];
    if (raw === undefined || isManagedField(entity, field)) continue;
    given.add(key);
    if (key === pk.field) {
      checkPrimaryKey(field, raw, op, pk.generated, options, values, details);
      continue;
    }
    const checked = checkValue(field, raw);
    if (checked.ok) values[key] = checked.value;
    else details.push(checked.detail);
  }

  for (const field of entity.fields) {
    if (op === 'put') {
      if (field.auto === 'update') values[field.name] = autoValue(field.type, now);
      continue;
    }
    if (given.has(field.name) && !(field.name === pk.field && pk.generated)) continue;
    if (field.name === pk.field) {
      if (!pk.generated) details.push({ field: field.name, rule: 'required', message: `${field.name} is required` });
    } else if (field.auto) {
      values[field.name] = autoValue(field.type, now);
    } else if (isManagedField(entity, field)) {
      continue;
    } else if (field.default !== undefined) {
      values[field.name] = structuredClone(field.default);
    } else if (needsValue(field)) {
      details.push({ field: field.name, rule: 'required', message: `${field.name} is required` });
    }
  }

  if (details.length > 0) return { ok: false, error: new TakesError('VALIDATION_FAILED', 'Validation failed', details) };
  return { ok: true, value: inFieldOrder(entity, values) };
}

function checkPrimaryKey(
  field: FieldDefinition,
  raw: unknown,
  op: RecordOp,
  generated: boolean,
  options: RecordWriteOptions,
  values: Record<string, unknown>,
  details: ErrorDetail[],
): void {
  if (op === 'create' && generated && raw === null) return;
  if (isBlank(raw)) {
    const message = op === 'create' ? `${field.name} is required` : `${field.name} is the primary key and cannot be cleared`;
    details.push({ field: field.name, rule: op === 'create' ? 'required' : 'immutable', message });
    return;
  }
  const checked = normalizeFieldValue(field, raw);
  if (!checked.ok) {
    details.push({ field: field.name, rule: checked.rule, message: `${field.name} ${checked.message}` });
    return;
  }
  if (op === 'create') {
    values[field.name] = checked.value;
  } else if (options.id !== undefined && keyText(field, checked.value) !== keyText(field, options.id)) {
    details.push({ field: field.name, rule: 'immutable', message: `${field.name} is the primary key and cannot change` });
  }
}

/**
 * Checks a whole record state (after a JSON Patch was applied to it) and returns it
 * normalized. Declared fields get the type, enum and required checks of a write (a
 * required field must hold a value; the primary key and server-set fields are not held
 * to that). A key that is not a declared field is refused (rule 'unknown') unless it is
 * `deleted_at` of a soft-delete entity, or hidden data: a removed field that `previous`
 * holds with the same value. With `previous`, problems of fields the change left as they
 * were are not reported (a record is not blocked by a rule tightened after it was
 * written); hidden and unchanged values are returned as they are.
 */
export function normalizeRecordState(
  entity: EntityDefinition,
  state: Record<string, unknown>,
  previous?: Record<string, unknown>,
): Parsed<Record<string, unknown>> {
  if (!isJsonObject(state)) return { ok: false, details: [{ rule: 'type', message: 'a record state must be a JSON object' }] };
  const details: ErrorDetail[] = [];
  const out: Record<string, unknown> = {};
  const fields = new Map(entity.fields.map((f) => [f.name, f]));
  const unchanged = (key: string): boolean =>
    previous !== undefined && hasOwn(previous, key) && JSON.stringify(previous[key]) === JSON.stringify(state[key]);

  for (const key of Object.keys(state)) {
    const value = state[key];
    const field = fields.get(key);
    if (!field) {
      if (entity.soft_delete && key === SOFT_DELETE_FIELD) {
        const checked = value === null ? { ok: true as const, value } : normalizeFieldValue({ type: 'timestamp' }, value);
        if (checked.ok) out[key] = checked.value;
        else details.push({ field: key, rule: checked.rule, message: `${key} ${checked.message}` });
      } else if (unchanged(key)) {
        // defineProperty: a hidden key named __proto__ stays data, never a prototype
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        details.push(unknownField(key));
      }
      continue;
    }
    const relaxed = key === entity.primary_key.field || isManagedField(entity, field);
    const checked = checkValue(relaxed ? { ...field, required: false } : field, value);
    if (checked.ok) out[key] = checked.value;
    else if (unchanged(key)) out[key] = value;
    else details.push(checked.detail);
  }
  for (const field of entity.fields) {
    if (hasOwn(state, field.name) || !needsValue(field)) continue;
    if (field.name === entity.primary_key.field || isManagedField(entity, field)) continue;
    if (previous !== undefined && !hasOwn(previous, field.name)) continue;
    details.push({ field: field.name, rule: 'required', message: `${field.name} is required` });
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, value: out };
}

/** The problems of a whole record state; empty when it is valid. See normalizeRecordState. */
export function validateRecordState(
  entity: EntityDefinition,
  state: Record<string, unknown>,
  previous?: Record<string, unknown>,
): ErrorDetail[] {
  const result = normalizeRecordState(entity, state, previous);
  return result.ok ? [] : result.details;
}

/**
 * A record as the API shows it: every declared field in the entity's order (null when
 * the state has no value, as a Rocket row has every column), plus `deleted_at` for a
 * soft-delete entity; removed fields and anything else stay hidden.
 */
export function visibleRecord(entity: EntityDefinition, state: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of entity.fields) {
    out[field.name] = hasOwn(state, field.name) && state[field.name] !== undefined ? state[field.name] : null;
  }
  if (entity.soft_delete && !hasOwn(out, SOFT_DELETE_FIELD)) {
    out[SOFT_DELETE_FIELD] = hasOwn(state, SOFT_DELETE_FIELD) ? (state[SOFT_DELETE_FIELD] ?? null) : null;
  }
  return out;
}
