/**
 * Names of entities, fields, tables, relations and join keys: Rocket's `[a-z][a-z0-9_]*`
 * (docs/metadata-schemas.md), at most 63 characters so that each is also a PostgreSQL
 * identifier the projector can use as is.
 */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;
export const IDENTIFIER_MAX_LENGTH = 63;

/**
 * Entity, table and relation names may also start with one `_` (Rocket accepts them, and
 * its suites name every entity `_test_…`), except the names Takes needs.
 */
const NAME = /^_?[a-z][a-z0-9_]{0,62}$/;

/** The words of Takes' own routes under `/api/:app/` (`/api/main/_admin/…`): never an entity. */
export const ROUTE_WORDS: ReadonlySet<string> = new Set(['_admin', '_sync', '_changes', '_conflicts', '_workflows', '_files', '_events', '_ui', '_platform']);

/**
 * The names starting with `_` that Takes needs: the route words under `/api/:app/` (an
 * entity of that name would be shadowed by the route), its own `_meta` entity, the
 * nested-write keys, and the `_link_…` prefix of many_to_many link records.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([...ROUTE_WORDS, '_meta', '_write_mode', '_delete']);
export const RESERVED_PREFIX = '_link_';

/**
 * Why a name is refused, or null when it is a good one. `kind` `field` (fields, keys,
 * join keys) refuses every name starting with `_` (those are Takes' keys in a record
 * body); `name` (entities, tables, relations) refuses only the reserved ones.
 */
export function identifierProblem(name: unknown, what: string, kind: 'field' | 'name' = 'field'): { rule: string; message: string } | null {
  if (typeof name !== 'string' || name.length === 0) return { rule: 'required', message: `${what} is required` };
  if (name.startsWith('_') && (kind === 'field' || RESERVED_NAMES.has(name) || name.startsWith(RESERVED_PREFIX))) {
    const which = kind === 'field' ? 'names starting with "_" belong to Takes' : `Takes reserves ${[...RESERVED_NAMES].join(', ')} and ${RESERVED_PREFIX}…`;
    return { rule: 'reserved', message: `${what} "${name}" is reserved: ${which}` };
  }
  if (name.length > IDENTIFIER_MAX_LENGTH) {
    return { rule: 'max_length', message: `${what} "${name}" is longer than ${IDENTIFIER_MAX_LENGTH} characters` };
  }
  if (!(kind === 'field' ? IDENTIFIER : NAME).test(name)) {
    return { rule: 'pattern', message: `${what} "${name}" must match ${kind === 'field' ? '^[a-z][a-z0-9_]*$' : '^_?[a-z][a-z0-9_]*$'}` };
  }
  return null;
}
