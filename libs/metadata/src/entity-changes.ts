import type { ErrorDetail } from '@takes/contracts';
import type { EntityDefinition, FieldDefinition, RemovedField } from './entity-definition';
import type { Parsed } from './parsed';

/** What a redefinition of an entity does to its fields. */
export interface EntityChanges {
  /** Fields new in `next` (including removed fields brought back with their old type). */
  readonly added: readonly string[];
  /** Fields `next` leaves out: hidden from the API from now on, their data kept. */
  readonly removed: readonly string[];
  /** Fields in both whose definition changed (required, unique, enum, default, ...), type excepted. */
  readonly changed: readonly string[];
  /**
   * `next` as it is to be stored: its `removed_fields` are the previous ones plus those
   * removed now, less those brought back, so that a later redefinition cannot bring a
   * field back with another type.
   */
  readonly definition: EntityDefinition;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameField(a: FieldDefinition, b: FieldDefinition): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (!sameJson((a as unknown as Record<string, unknown>)[key], (b as unknown as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}

/**
 * Compares two parsed definitions of the same entity (an admin PUT). Removing a field is
 * allowed (Rocket: "Removed fields are hidden from the API but data is preserved");
 * changing the type of a field that exists, or once existed, is refused, because events
 * already hold values of the old type; so are a new name and a new primary key.
 */
export function entityChanges(previous: EntityDefinition, next: EntityDefinition): Parsed<EntityChanges> {
  const details: ErrorDetail[] = [];
  if (previous.name !== next.name) {
    details.push({ field: 'name', rule: 'immutable', message: `an entity cannot be renamed (${previous.name} → ${next.name})` });
  }
  const pk = (key: 'field' | 'type') => {
    if (previous.primary_key[key] !== next.primary_key[key]) {
      details.push({
        field: `primary_key.${key}`,
        rule: 'immutable',
        message: `the primary key ${key} cannot change (${previous.primary_key[key]} → ${next.primary_key[key]})`,
      });
    }
  };
  pk('field');
  pk('type');

  const before = new Map(previous.fields.map((f) => [f.name, f]));
  const hidden = new Map((previous.removed_fields ?? []).map((f) => [f.name, f]));
  const added: string[] = [];
  const changed: string[] = [];
  next.fields.forEach((field, index) => {
    const old = before.get(field.name) ?? hidden.get(field.name);
    if (old && old.type !== field.type) {
      details.push({
        field: `fields[${index}].type`,
        rule: 'immutable',
        message: `field "${field.name}" ${before.has(field.name) ? 'is' : 'was'} a ${old.type}: its type cannot change to ${field.type}`,
      });
      return;
    }
    const current = before.get(field.name);
    if (!current) added.push(field.name);
    else if (!sameField(current, field)) changed.push(field.name);
  });
  if (details.length > 0) return { ok: false, details };

  const nextNames = new Set(next.fields.map((f) => f.name));
  const removed = previous.fields.filter((f) => !nextNames.has(f.name)).map((f) => f.name);
  const removedFields: RemovedField[] = [
    ...(previous.removed_fields ?? []).filter((f) => !nextNames.has(f.name)),
    ...previous.fields.filter((f) => !nextNames.has(f.name)).map((f) => ({ name: f.name, type: f.type })),
  ];
  const { removed_fields: _ignored, ...rest } = next;
  const definition: EntityDefinition = removedFields.length > 0 ? { ...rest, removed_fields: removedFields } : rest;
  return { ok: true, value: { added, removed, changed, definition } };
}
