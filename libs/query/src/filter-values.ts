import { normalizeFieldValue, type FieldType } from '@takes/metadata';

export type FilterValue = string | number | boolean;
export type FilterValueCheck = { ok: true; value: FilterValue } | { ok: false; message: string };

const INTEGER_TEXT = /^[+-]?\d+$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const NO_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
/** `...T10:00:00 02:00`: a `+02:00` whose `+` an unencoded query string turned into a space. */
const SPACE_FOR_PLUS = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Go's strconv.ParseBool, which Rocket's Go server reads boolean filters with. */
const TRUE_TEXT = ['1', 't', 'T', 'true', 'TRUE', 'True'];
const FALSE_TEXT = ['0', 'f', 'F', 'false', 'FALSE', 'False'];

function fail(message: string): FilterValueCheck {
  return { ok: false, message };
}

function normalized(type: FieldType, value: unknown): FilterValueCheck {
  const checked = normalizeFieldValue({ type }, value);
  return checked.ok ? { ok: true, value: checked.value as FilterValue } : fail(checked.message);
}

/** A timestamp as a filter may write it; see parseFilterValue. */
function timestampText(text: string): string {
  if (DATE_ONLY.test(text)) return `${text}T00:00:00Z`;
  if (NO_ZONE.test(text)) return `${text}Z`;
  const spaced = SPACE_FOR_PLUS.exec(text);
  return spaced ? `${spaced[1]}+${spaced[2]}` : text;
}

function jsonText(text: string): FilterValueCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('must be JSON text');
  }
  const checked = normalizeFieldValue({ type: 'json' }, parsed);
  return checked.ok ? { ok: true, value: JSON.stringify(checked.value) } : fail(checked.message);
}

/**
 * Reads one filter value from the query string by its column's type, with the metadata
 * lib's normalizeFieldValue, and returns it as the SQL parameter to send:
 *
 * - string, text: as written (spaces kept); no NUL.
 * - int: digits with an optional sign, within 32 bits. bigint: within 64 bits (a digit
 *   string beyond 2^53). decimal: a number in plain or exponent notation, returned as
 *   exact text and not rounded to the field's precision (a bound of 1.005 stays 1.005).
 * - boolean: what Go's ParseBool reads (1 t T true TRUE True, 0 f F false FALSE False).
 * - uuid: 8-4-4-4-12 hex, lower-cased. date: YYYY-MM-DD.
 * - timestamp: ISO 8601 with a zone, returned in UTC; a bare date means its midnight UTC,
 *   a date-time without a zone is UTC, and `10:00:00 02:00` (a `+` the query string
 *   decoded into a space) is read as `+02:00`.
 * - json: JSON text, returned re-serialized (compared as jsonb). file: a file id (uuid) or
 *   JSON text of a file object, returned as JSON text.
 *
 * Values of types other than string and text are trimmed first.
 */
export function parseFilterValue(type: FieldType, raw: string): FilterValueCheck {
  if (type === 'string' || type === 'text') return normalized(type, raw);
  const text = raw.trim();
  switch (type) {
    case 'int':
      return INTEGER_TEXT.test(text) ? normalized('int', Number(text)) : normalized('int', text);
    case 'bigint':
    case 'decimal':
    case 'uuid':
    case 'date':
      return normalized(type, text);
    case 'boolean':
      if (TRUE_TEXT.includes(text)) return { ok: true, value: true };
      if (FALSE_TEXT.includes(text)) return { ok: true, value: false };
      return fail('must be true or false');
    case 'timestamp':
      return normalized('timestamp', timestampText(text));
    case 'json':
      return jsonText(text);
    case 'file': {
      if (UUID.test(text)) return { ok: true, value: JSON.stringify(text.toLowerCase()) };
      const json = jsonText(text);
      if (!json.ok) return fail('must be a file id (UUID) or the JSON of a file object');
      const file = normalizeFieldValue({ type: 'file' }, JSON.parse(json.value as string));
      return file.ok ? json : fail(file.message);
    }
    default:
      return fail(`has an unknown type ${String(type)}`);
  }
}
