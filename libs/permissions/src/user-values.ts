/** Who asks: a user's id, roles and attributes (set through `/_admin/users`, carried in the access token). */
export interface PermissionUser {
  readonly id: string;
  readonly roles: readonly string[];
  readonly attributes?: Readonly<Record<string, unknown>>;
}

const USER_REFERENCE = /^\$user\.([A-Za-z_][A-Za-z0-9_]{0,63})$/;

/** The user attribute a condition value names (`"$user.division"` → `division`, `"$user.id"` → `id`), or null for a literal. */
export function userReference(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = USER_REFERENCE.exec(value);
  return match ? match[1] : null;
}

/** Whether a string looks like a reference to the user but is not one Takes reads (`$user.`, `$user.a.b`). */
export function isMalformedReference(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('$user') && userReference(value) === null;
}

/**
 * The values a condition value stands for, for this user: a literal stands for itself; a
 * reference for the user's id or attribute (a list attribute for each of its items).
 * Null when the user has no such attribute: the condition then holds for no row.
 */
export function resolveUserValue(value: unknown, user: PermissionUser): unknown[] | null {
  const name = userReference(value);
  if (name === null) return [value];
  const resolved = name === 'id' ? user.id : Object.prototype.hasOwnProperty.call(user.attributes ?? {}, name) ? user.attributes![name] : undefined;
  if (resolved === undefined || resolved === null) return null;
  if (Array.isArray(resolved)) return resolved.length > 0 ? resolved : null;
  return [resolved];
}
