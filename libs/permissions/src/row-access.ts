import { LIST_OPERATORS, type ConditionOperator, type Permission, type PermissionAction } from './permission-definition';
import { resolveUserValue, type PermissionUser } from './user-values';

/** The role that bypasses every permission (Rocket's, hard-wired). */
export const ADMIN_ROLE = 'admin';

/** A condition with its values known for one user: `values` has one item unless the operator is in or not_in. */
export interface ResolvedCondition {
  readonly field: string;
  readonly operator: ConditionOperator;
  readonly values: readonly unknown[];
}

/**
 * What a user may do with an entity's records for one action:
 * - `all`: every row (the admin role, or a permission without conditions);
 * - `none`: no permission for any of the user's roles (403);
 * - `rows`: the rows meeting every condition of at least one alternative (one per
 *   permission that applies); an empty list means no row at all, though the role has a
 *   permission (for example its `$user.` attribute is not set on this user).
 */
export type RowAccess =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'rows'; readonly alternatives: readonly (readonly ResolvedCondition[])[] };

/** A field value read by its field's type (the metadata's normalizeFieldValue), or not ok when it does not fit. */
export type NormalizeValue = (field: string, value: unknown) => { ok: true; value: unknown } | { ok: false };

/**
 * accessFor(permissions, entity, action, user): Rocket's whitelist. The admin role may do
 * anything; otherwise the permissions for the entity and action whose roles meet the
 * user's apply, any one of them enough. Their `$user.` values are resolved for this user
 * and every value read by its field's type (`normalize`); a condition that cannot be
 * (an attribute the user lacks, a value of the wrong type) rules its permission out.
 */
export function accessFor(
  permissions: Iterable<Permission>,
  entity: string,
  action: PermissionAction,
  user: PermissionUser,
  normalize: NormalizeValue,
): RowAccess {
  if (user.roles.includes(ADMIN_ROLE)) return { kind: 'all' };
  const alternatives: ResolvedCondition[][] = [];
  let applies = false;
  for (const permission of permissions) {
    if (permission.entity !== entity || permission.action !== action || !permission.roles.some((role) => user.roles.includes(role))) continue;
    applies = true;
    if (permission.conditions.length === 0) return { kind: 'all' };
    const resolved = resolveConditions(permission, user, normalize);
    if (resolved) alternatives.push(resolved);
  }
  return applies ? { kind: 'rows', alternatives } : { kind: 'none' };
}

function resolveConditions(permission: Permission, user: PermissionUser, normalize: NormalizeValue): ResolvedCondition[] | null {
  const resolved: ResolvedCondition[] = [];
  for (const condition of permission.conditions) {
    const listed = LIST_OPERATORS.has(condition.operator) ? (condition.value as unknown[]) : [condition.value];
    const values: unknown[] = [];
    for (const item of listed) {
      const items = resolveUserValue(item, user);
      if (items === null) {
        if (LIST_OPERATORS.has(condition.operator)) continue;
        return null;
      }
      for (const value of items) {
        const checked = normalize(condition.field, value);
        if (!checked.ok) return null;
        values.push(checked.value);
      }
    }
    // A single-valued operator given a list attribute: `eq` then means any of them, `neq` none of them.
    if (values.length === 0) return null;
    const operator = values.length > 1 && condition.operator === 'eq' ? 'in' : values.length > 1 && condition.operator === 'neq' ? 'not_in' : condition.operator;
    if (values.length > 1 && !LIST_OPERATORS.has(operator)) return null;
    resolved.push({ field: condition.field, operator, values });
  }
  return resolved;
}
