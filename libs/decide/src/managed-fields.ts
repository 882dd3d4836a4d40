import { compare } from 'fast-json-patch';
import { TakesError, type AppendCommand, type PatchOperation } from '@takes/contracts';
import { autoValue, isManagedField, SOFT_DELETE_FIELD, type AppMetadata, type EntityDefinition } from '@takes/metadata';
import { computedFields } from './rule-checks';

type State = Record<string, unknown>;

/**
 * Fields the server sets, never a client (ARCHITECTURE.md, last paragraph): `auto`
 * timestamps, the soft-delete marker `deleted_at`, and the fields the entity's computed
 * rules set. The decider sets them from the write's time after any merge; they are never
 * contested, never a take, and a reviewer cannot pick them.
 */
export function managedFields(entity: EntityDefinition, metadata: AppMetadata): Set<string> {
  const managed = computedFields({ entity, metadata });
  for (const field of entity.fields) if (isManagedField(entity, field)) managed.add(field.name);
  if (entity.soft_delete) managed.add(SOFT_DELETE_FIELD);
  return managed;
}

/** The top-level field a JSON Pointer is in (`/total/x` → `total`; `""` → `""`). */
export function topField(pointer: string): string {
  return (pointer.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The command without what it says about managed fields: a put's or create's values for
 * them, and a patch's operations that would write them (a `test` of one is kept: it only
 * reads). Rocket ignores such values silently; so does Takes, at every depth of a write.
 * A `move` out of a managed field would remove it: refused (422, rule `managed`).
 */
export function withoutManagedValues(command: AppendCommand, managed: Set<string>): AppendCommand | TakesError {
  if (managed.size === 0) return command;
  if ((command.op === 'put' || command.op === 'create') && command.data && Object.keys(command.data).some((key) => managed.has(key))) {
    return { ...command, data: Object.fromEntries(Object.entries(command.data).filter(([key]) => !managed.has(key))) };
  }
  if (command.op === 'patch' && command.patch) {
    const moved = command.patch.find((op) => op.op === 'move' && typeof op.from === 'string' && managed.has(topField(op.from)));
    if (moved) return managedRefusal(topField(moved.from!));
    const kept = command.patch.filter((op) => op.op === 'test' || !managed.has(topField(op.path)));
    return kept.length === command.patch.length ? command : { ...command, patch: kept };
  }
  return command;
}

/** 422: a field the server sets cannot be written or picked. */
export function managedRefusal(field: string): TakesError {
  return new TakesError('VALIDATION_FAILED', 'validation failed', [
    { field, rule: 'managed', message: `${field} is set by the server and cannot be written or picked` },
  ]);
}

/** 422: a record's key never changes. */
export function keyRefusal(field: string): TakesError {
  return new TakesError('VALIDATION_FAILED', 'validation failed', [{ field, rule: 'immutable', message: `${field} is the primary key and cannot change` }]);
}

/**
 * Whether the command would change the record's key, read from the command alone (so a
 * stale edit is refused before it is merged or shelved): a put or resolve of another
 * value for it, a patch that writes, removes or moves it, or replaces the whole record.
 */
export function keyChange(command: AppendCommand, entity: EntityDefinition, current: State): TakesError | null {
  const key = entity.primary_key.field;
  const same = (value: unknown) => sameKey(value, current[key]);
  switch (command.op) {
    case 'put':
      return command.data && Object.prototype.hasOwnProperty.call(command.data, key) && !same(command.data[key]) ? keyRefusal(key) : null;
    case 'patch':
      return (command.patch ?? []).some((op) => writesKey(op, key)) ? keyRefusal(key) : null;
    case 'resolve': {
      const field = (command.data as { field?: unknown } | undefined)?.field;
      return typeof field === 'string' && (field === '' || topField(field) === key) ? keyRefusal(key) : null;
    }
    default:
      return null;
  }
}

/** Two spellings of one key value: equal as JSON, or a number and its text (`5`, `"5"`). */
export function sameKey(a: unknown, b: unknown): boolean {
  if (JSON.stringify(a) === JSON.stringify(b)) return true;
  return a !== null && b !== null && a !== undefined && b !== undefined && typeof a !== typeof b && String(a) === String(b);
}

function writesKey(op: PatchOperation, key: string): boolean {
  if (op.op === 'test') return false;
  if (op.path === '' || topField(op.path) === key) return true;
  return op.op === 'move' && typeof op.from === 'string' && (op.from === '' || topField(op.from) === key);
}

/**
 * The record with its auto timestamps set from the write's time: on a create every auto
 * field, on a change the `auto: "update"` ones. `now` is the store's clock for the write.
 */
export function stampTimestamps(entity: EntityDefinition, state: State, op: 'create' | 'update', now: string): State {
  const auto = entity.fields.filter((field) => (op === 'create' ? field.auto !== undefined : field.auto === 'update'));
  if (auto.length === 0) return state;
  const at = new Date(now);
  const out = { ...state };
  for (const field of auto) out[field.name] = autoValue(field.type, at);
  return out;
}

/** Whether two states differ in a field the client may set (managed fields aside). */
export function clientFieldsDiffer(before: State, after: State, managed: Set<string>): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (managed.has(key)) continue;
    if (compare({ v: before[key] ?? null }, { v: after[key] ?? null }).length > 0) return true;
  }
  return false;
}
