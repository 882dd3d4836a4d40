/**
 * Names of entities, fields, tables, relations and join keys: Rocket's `[a-z][a-z0-9_]*`
 * (docs/metadata-schemas.md), at most 63 characters so that each is also a PostgreSQL
 * identifier the projector can use as is.
 */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
export const IDENTIFIER_MAX_LENGTH = 63;

/** Why a name is refused, or null when it is a good one. */
export function identifierProblem(name: unknown, what: string): { rule: string; message: string } | null {
  if (typeof name !== 'string' || name.length === 0) return { rule: 'required', message: `${what} is required` };
  if (name.startsWith('_')) {
    return { rule: 'reserved', message: `${what} "${name}" is reserved: names starting with "_" belong to Takes` };
  }
  if (name.length > IDENTIFIER_MAX_LENGTH) {
    return { rule: 'max_length', message: `${what} "${name}" is longer than ${IDENTIFIER_MAX_LENGTH} characters` };
  }
  if (!IDENTIFIER.test(name)) {
    return { rule: 'pattern', message: `${what} "${name}" must match ^[a-z][a-z0-9_]*$` };
  }
  return null;
}
