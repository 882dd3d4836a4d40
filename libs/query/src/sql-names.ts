import { TakesError } from '@takes/contracts';

/**
 * Names that go into SQL as identifiers: metadata names (`^[a-z][a-z0-9_]*$`), the
 * system columns (`_version`) and schema names (`app_main`, as libs/db allows them).
 * Kysely quotes them; this check is the second lock: a name with a dot, a quote or a
 * space never reaches a query, whatever a caller hands in.
 */
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function sqlName(name: string, what: string): string {
  if (typeof name !== 'string' || !SQL_NAME.test(name)) {
    throw new TakesError('INTERNAL_ERROR', `${what} is not a usable SQL name`);
  }
  return name;
}
