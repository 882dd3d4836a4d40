import type { FieldType } from '@takes/metadata';
import { parseFilterValue } from './filter-values';

function value(type: FieldType, raw: string): unknown {
  const checked = parseFilterValue(type, raw);
  if (!checked.ok) throw new Error(`${type} ${JSON.stringify(raw)} refused: ${checked.message}`);
  return checked.value;
}
function refused(type: FieldType, raw: string): string {
  const checked = parseFilterValue(type, raw);
  if (checked.ok) throw new Error(`${type} ${JSON.stringify(raw)} accepted as ${JSON.stringify(checked.value)}`);
  return checked.message;
}

describe('filter values, read by column type', () => {
  it('string and text: as written, spaces and SQL kept; NUL refused', () => {
    expect(value('string', ' Quay 4 ')).toBe(' Quay 4 ');
    expect(value('text', "x' OR 1=1 --")).toBe("x' OR 1=1 --");
    expect(value('string', '')).toBe('');
    expect(value('text', '%acme%')).toBe('%acme%');
    expect(refused('string', 'a\u0000b')).toMatch(/NUL/);
    expect(refused('string', 'a\ud800b')).toMatch(/lone surrogate/);
    expect(refused('json', '"\\ud800"')).toMatch(/lone surrogate/);
  });

  it('int: signed digits within 32 bits', () => {
    expect(value('int', '42')).toBe(42);
    expect(value('int', '-7')).toBe(-7);
    expect(value('int', '+7')).toBe(7);
    expect(value('int', ' 8 ')).toBe(8);
    expect(value('int', '007')).toBe(7);
    expect(value('int', '-0')).toBe(0);
    expect(value('int', '2147483647')).toBe(2147483647);
    for (const bad of ['2147483648', '1.5', '1e3', 'abc', '', '0x10', '1 2']) expect(refused('int', bad)).toMatch(/integer/);
  });

  it('bigint: within 64 bits, a digit string beyond 2^53', () => {
    expect(value('bigint', '9007199254740991')).toBe(9007199254740991);
    expect(value('bigint', '9223372036854775807')).toBe('9223372036854775807');
    expect(value('bigint', '-12')).toBe(-12);
    for (const bad of ['9223372036854775808', '1.0', 'x', '']) expect(refused('bigint', bad)).toMatch(/64-bit/);
  });

  it('decimal: exact text, not rounded to the precision', () => {
    expect(value('decimal', '1.005')).toBe('1.005');
    expect(value('decimal', '1e3')).toBe('1000');
    expect(value('decimal', '-0.50')).toBe('-0.50');
    expect(value('decimal', '12345678901234567890.123')).toBe('12345678901234567890.123');
    for (const bad of ['NaN', 'Infinity', 'abc', '', '1,5']) expect(refused('decimal', bad)).toMatch(/numeric/);
  });

  it("boolean: Go's ParseBool words", () => {
    for (const t of ['true', 'TRUE', 'True', 't', 'T', '1']) expect(value('boolean', t)).toBe(true);
    for (const f of ['false', 'FALSE', 'False', 'f', 'F', '0']) expect(value('boolean', f)).toBe(false);
    for (const bad of ['yes', 'no', '', '2', 'tRuE']) expect(refused('boolean', bad)).toMatch(/true or false/);
  });

  it('uuid: lower-cased; anything else refused', () => {
    expect(value('uuid', '0190A5B2-1C3D-7E4F-8A9B-0C1D2E3F4A5B')).toBe('0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b');
    for (const bad of ['0190a5b2', "0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b' or '1'='1", '']) expect(refused('uuid', bad)).toMatch(/UUID/);
  });

  it('timestamp: to UTC; a bare date is midnight UTC; no zone is UTC; a decoded + is read back', () => {
    expect(value('timestamp', '2026-11-23T08:30:00Z')).toBe('2026-11-23T08:30:00.000Z');
    expect(value('timestamp', '2026-11-23T10:30:00+02:00')).toBe('2026-11-23T08:30:00.000Z');
    expect(value('timestamp', '2026-11-23T10:30:00 02:00')).toBe('2026-11-23T08:30:00.000Z');
    expect(value('timestamp', '2026-11-23T03:30:00-05:00')).toBe('2026-11-23T08:30:00.000Z');
    expect(value('timestamp', '2026-11-23')).toBe('2026-11-23T00:00:00.000Z');
    expect(value('timestamp', '2026-11-23T08:30')).toBe('2026-11-23T08:30:00.000Z');
    expect(value('timestamp', '2026-11-23 08:30:00.123456')).toBe('2026-11-23T08:30:00.123456Z');
    for (const bad of ['2026-02-30', 'yesterday', '2026-11-23T25:00:00Z', '']) expect(refused('timestamp', bad)).toMatch(/ISO 8601/);
  });

  it('date: a real calendar day', () => {
    expect(value('date', '2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2024-2-1', '2024-02-29T00:00:00Z', '']) expect(refused('date', bad)).toMatch(/YYYY-MM-DD/);
  });

  it('json: JSON text, re-serialized', () => {
    expect(value('json', '{ "a" : 1 }')).toBe('{"a":1}');
    expect(value('json', '"x"')).toBe('"x"');
    expect(value('json', '3')).toBe('3');
    expect(value('json', 'null')).toBe('null');
    expect(refused('json', 'x')).toMatch(/JSON/);
    expect(refused('json', '{"a":')).toMatch(/JSON/);
    expect(refused('json', '"\\u0000"')).toMatch(/NUL/);
  });

  it('file: a file id (as a JSON string) or the JSON of a file object', () => {
    expect(value('file', '0190A5B2-1C3D-7E4F-8A9B-0C1D2E3F4A5B')).toBe('"0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b"');
    expect(value('file', '{"id":"f1","filename":"a.png"}')).toBe('{"id":"f1","filename":"a.png"}');
    expect(refused('file', '42')).toMatch(/file/);
    expect(refused('file', 'photo.png')).toMatch(/file/);
  });
});
