import type { EntityDefinition } from '@takes/metadata';

/** One unique field's value as reserved (text, so every type compares the same way). */
export interface UniqueValue {
  field: string;
  value: string;
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The reservations a record state holds: one per unique field with a value (null holds
 * nothing, as in SQL). A deleted record keeps its values, so restoring it never clashes.
 */
export function uniqueValuesOf(entity: EntityDefinition | null, state: Record<string, unknown>): UniqueValue[] {
  if (!entity) return [];
  const out: UniqueValue[] = [];
  for (const field of entity.fields) {
    if (!field.unique || field.name === entity.primary_key.field) continue;
    const value = asText(state[field.name]);
    if (value !== null) out.push({ field: field.name, value });
  }
  return out;
}

/** What changes between two states: values to reserve and fields whose reservation goes. */
export function uniqueChanges(entity: EntityDefinition | null, before: Record<string, unknown>, after: Record<string, unknown>) {
  const old = new Map(uniqueValuesOf(entity, before).map((u) => [u.field, u.value]));
  const next = uniqueValuesOf(entity, after);
  const reserve = next.filter((u) => old.get(u.field) !== u.value);
  const nextFields = new Set(next.map((u) => u.field));
  const release = [...old.keys()].filter((field) => !nextFields.has(field));
  return { reserve, release };
}
