import type { ErrorDetail } from '@takes/contracts';
import { isMalformedReference, LIST_OPERATORS, parsePermission, userReference, type Permission, type PermissionAction } from '@takes/permissions';
import type { AppMetadata } from './app-metadata';
import { fieldOf, type EntityDefinition } from './entity-definition';
import { normalizeFieldValue, type FieldType } from './field-values';
import type { Parsed } from './parsed';

/** The field types a condition may compare, and with which operators (json and file values are not compared). */
const ORDERED: ReadonlySet<FieldType> = new Set<FieldType>(['int', 'bigint', 'decimal', 'timestamp', 'date']);
const COMPARED: ReadonlySet<FieldType> = new Set<FieldType>(['string', 'text', 'int', 'bigint', 'decimal', 'uuid', 'timestamp', 'date', 'boolean']);

/** Reads a permission as sent to `/_admin/permissions` (`permission:<id>`), normalized: its literal values by their fields' types. */
export function parseStoredPermission(input: unknown): Parsed<Permission> {
  return parsePermission(input);
}

/**
 * Why a permission cannot be stored in this app: its entity and the fields its conditions
 * name must exist, each operator must apply to its field's type (ordering only numbers,
 * dates and instants; json and file fields are not compared), and each literal value must
 * be one the field can hold. `$user.` values are checked when a user is known.
 */
export function permissionProblems(permission: Permission, metadata: AppMetadata): ErrorDetail[] {
  const entity = metadata.entities.get(permission.entity);
  if (!entity) return [{ field: 'entity', rule: 'exists', message: `unknown entity ${permission.entity}` }];
  const problems: ErrorDetail[] = [];
  permission.conditions.forEach((condition, i) => {
    const at = `conditions[${i}]`;
    const field = fieldOf(entity, condition.field);
    if (!field) {
      problems.push({ field: `${at}.field`, rule: 'exists', message: `entity ${entity.name} has no field ${condition.field}` });
      return;
    }
    if (!COMPARED.has(field.type) || (!ORDERED.has(field.type) && !['eq', 'neq', 'in', 'not_in'].includes(condition.operator))) {
      problems.push({ field: `${at}.operator`, rule: 'operator', message: `${condition.operator} does not apply to ${field.name} (${field.type})` });
      return;
    }
    const values = LIST_OPERATORS.has(condition.operator) ? (condition.value as unknown[]) : [condition.value];
    values.forEach((value, j) => {
      const where = LIST_OPERATORS.has(condition.operator) ? `${at}.value[${j}]` : `${at}.value`;
      if (isMalformedReference(value)) {
        problems.push({ field: where, rule: 'pattern', message: 'a user value is $user.id or $user.<attribute>' });
      } else if (userReference(value) === null && !normalizeFieldValue(field, value).ok) {
        problems.push({ field: where, rule: 'type', message: `${JSON.stringify(value)} is not a value of ${field.name} (${field.type})` });
      }
    });
  });
  return problems;
}

/** A permission normalized for its entity: literal values as the field holds them (1 for "1" stays refused at save). */
export function permissionValue(entity: EntityDefinition) {
  return (field: string, value: unknown): { ok: true; value: unknown } | { ok: false } => {
    const definition = fieldOf(entity, field);
    if (!definition) return { ok: false };
    const checked = normalizeFieldValue(definition, value);
    return checked.ok ? { ok: true, value: checked.value } : { ok: false };
  };
}

/** The entity's permissions in force for an action. */
export function permissionsOf(metadata: AppMetadata, entity: string, action?: PermissionAction): Permission[] {
  return [...metadata.permissions.values()].filter((p) => p.entity === entity && (action === undefined || p.action === action));
}
