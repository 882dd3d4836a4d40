import { TakesError, isStorableText } from '@takes/contracts';
import type { EntityDefinition } from './entity-definition';
import { normalizeFieldValue } from './field-values';

/**
 * A record's key as a URL (or a `_sync` edit) gives it, checked by its primary key's type
 * before anything looks it up, and in its one canonical form (the form a create stored):
 * a uuid lower-cased; an int or bigint as plain digits (`007` is 7); a string as given,
 * without NUL or lone surrogates (PostgreSQL could not hold it). A key that cannot be one
 * of its type is a 400 INVALID_PAYLOAD naming the key field: no record can have it.
 */
export function recordKey(entity: EntityDefinition, raw: string): string {
  const { field, type } = entity.primary_key;
  const refuse = (message: string) => new TakesError('INVALID_PAYLOAD', `${entity.name} ${field} ${message}`, [{ field, rule: 'type', message: `${field} ${message}` }]);
  switch (type) {
    case 'string':
      if (raw === '' || !isStorableText(raw)) throw refuse('must be text without NUL characters or lone surrogates');
      return raw;
    case 'uuid': {
      const checked = normalizeFieldValue({ type: 'uuid' }, raw);
      if (!checked.ok) throw refuse('must be a UUID (8-4-4-4-12 hex digits)');
      return checked.value as string;
    }
    case 'int':
    case 'bigint': {
      const text = /^[+-]?\d{1,25}$/.test(raw) ? raw : '';
      const checked = text === '' ? undefined : normalizeFieldValue({ type }, type === 'int' ? Number(text) : text.replace(/^\+/, ''));
      if (!checked?.ok) throw refuse(`must be an integer (${type})`);
      return String(checked.value);
    }
    default:
      return raw;
  }
}
