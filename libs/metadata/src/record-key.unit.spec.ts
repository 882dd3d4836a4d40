import { parseEntityDefinition, type EntityDefinition } from './entity-definition';
import { recordKey } from './record-key';

function entity(type: string): EntityDefinition {
  const parsed = parseEntityDefinition({ name: 'thing', primary_key: { field: 'key', type }, fields: [{ name: 'key', type }] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}

function refusal(type: string, raw: string) {
  try {
    recordKey(entity(type), raw);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
}

describe('recordKey: a key from a URL, checked by its primary key type', () => {
  it('uuid keys are UUIDs, lower-cased as a create stores them', () => {
    expect(recordKey(entity('uuid'), '0192F4E2-7B1C-7DEF-8ABC-0123456789AB')).toBe('0192f4e2-7b1c-7def-8abc-0123456789ab');
    for (const bad of ['\u0000', 'abc', '0192f4e2-7b1c-7def-8abc-0123456789a\u0000', '']) expect({ bad, code: refusal('uuid', bad) }).toEqual({ bad, code: 'INVALID_PAYLOAD' });
  });

  it('int and bigint keys are integers of their range, as plain digits', () => {
    expect(recordKey(entity('int'), '007')).toBe('7');
    expect(recordKey(entity('bigint'), '9223372036854775807')).toBe('9223372036854775807');
    expect(recordKey(entity('bigint'), '+12')).toBe('12');
    for (const bad of ['x', '1.5', '2147483648', '\u0000', '']) expect({ bad, code: refusal('int', bad) }).toEqual({ bad, code: 'INVALID_PAYLOAD' });
    expect(refusal('bigint', '9223372036854775808')).toBe('INVALID_PAYLOAD');
  });

  it('string keys are kept as given, but never with a NUL or a lone surrogate', () => {
    expect(recordKey(entity('string'), 'Quay 4 / 🙂')).toBe('Quay 4 / 🙂');
    for (const bad of ['a\u0000b', '\ud800', 'x\udc00', '']) expect({ bad, code: refusal('string', bad) }).toEqual({ bad, code: 'INVALID_PAYLOAD' });
  });
});
