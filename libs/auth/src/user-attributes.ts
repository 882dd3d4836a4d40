import type { ErrorDetail } from '@takes/contracts';
import type { UserAttribute } from './access-tokens';

const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_ATTRIBUTES = 50;

function isScalar(value: unknown): boolean {
  return (typeof value === 'string' && value.length <= 1000 && !value.includes('\u0000')) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Why a body's `attributes` cannot be a user's (what permission conditions name as
 * `$user.<attribute>`): a JSON object of at most 50, each named with letters, digits and
 * `_` (not `id`, which is the user's own), each a string, number, boolean or list of them.
 */
export function userAttributeProblems(value: unknown, field = 'attributes'): ErrorDetail[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field, rule: 'type', message: 'attributes must be a JSON object' }];
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRIBUTES) return [{ field, rule: 'max_items', message: `at most ${MAX_ATTRIBUTES} attributes` }];
  const problems: ErrorDetail[] = [];
  for (const [name, v] of entries) {
    if (!ATTRIBUTE_NAME.test(name) || name === 'id') problems.push({ field: `${field}.${name}`, rule: 'pattern', message: 'an attribute name is letters, digits and _ (not id)' });
    else if (!isScalar(v) && !(Array.isArray(v) && v.length <= 1000 && v.every(isScalar))) {
      problems.push({ field: `${field}.${name}`, rule: 'type', message: 'an attribute is a string, a number, a boolean or a list of them' });
    }
  }
  return problems;
}

export type UserAttributes = Record<string, UserAttribute>;
