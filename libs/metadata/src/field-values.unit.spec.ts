import fc from 'fast-check';
import { isJsonValue, normalizeFieldValue, type FieldType, type FieldValueSpec } from './field-values';

function ok(field: FieldValueSpec, value: unknown): unknown {
  const checked = normalizeFieldValue(field, value);
  if (!checked.ok) throw new Error(`expected ${JSON.stringify(value)} to fit ${field.type}: ${checked.message}`);
  return checked.value;
}
function refused(field: FieldValueSpec, value: unknown): string {
  const checked = normalizeFieldValue(field, value);
  if (checked.ok) throw new Error(`expected ${JSON.stringify(value)} to be refused as ${field.type}`);
  return checked.rule;
}

const noNul = (s: string) => !s.includes('\u0000');

/** Values that fit each type, as a client could send them (not necessarily normalized). */
const valid: Record<FieldType, fc.Arbitrary<unknown>> = {
  string: fc.string().filter(noNul),
  text: fc.string({ maxLength: 500 }).filter(noNul),
  int: fc.integer({ min: -2147483648, max: 2147483647 }),
  bigint: fc.oneof(
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((b) => b.toString()),
  ),
  decimal: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
    fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 2n ** 50n }), fc.bigInt({ min: 0n, max: 2n ** 30n }))
      .map(([negative, int, frac]) => `${negative ? '-' : ''}${int}.${frac}`),
  ),
  boolean: fc.boolean(),
  uuid: fc.uuid().chain((u) => fc.constantFrom(u, u.toUpperCase())),
  timestamp: fc
    .tuple(
      fc.date({ min: new Date('0002-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.constantFrom('Z', '+00:00', '+05:30', '-08:00', '+0100', '-03'),
      fc.constantFrom('', '.5', '.123', '.123456', '.1234567'),
    )
    .map(([date, zone, fraction]) => date.toISOString().slice(0, 19) + fraction + zone),
  date: fc
    .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  json: fc.jsonValue().filter((v) => !JSON.stringify(v).includes('\\u0000')),
  file: fc.oneof(fc.uuid(), fc.record({ id: fc.uuid(), filename: fc.string().filter(noNul), size: fc.nat() })),
};

/** Decimals with at most 12 digits before the point: they fit NUMERIC(18, p) for p up to 6. */
const fittingDecimal = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 2n ** 30n }), fc.bigInt({ min: 0n, max: 2n ** 30n })).map(([n, i, f]) => `${n ? '-' : ''}${i}.${f}`),
);

describe('normalizeFieldValue', () => {
  it('string and text take strings, without NUL or a lone surrogate (PostgreSQL text cannot hold them intact)', () => {
    expect(ok({ type: 'string' }, 'héllo')).toBe('héllo');
    expect(ok({ type: 'string' }, 'pair 🙂')).toBe('pair 🙂');
    expect(refused({ type: 'string' }, 'lone \ud800')).toBe('type');
    expect(refused({ type: 'text' }, '\udc00 lone')).toBe('type');
    expect(ok({ type: 'text' }, '')).toBe('');
    expect(refused({ type: 'string' }, 5)).toBe('type');
    expect(refused({ type: 'text' }, 'a\u0000b')).toBe('type');
  });

  it('int is a 32-bit integer number (Rocket: INTEGER)', () => {
    expect(ok({ type: 'int' }, 2147483647)).toBe(2147483647);
    expect(ok({ type: 'int' }, -0)).toBe(0);
    expect(Object.is(ok({ type: 'int' }, -0), 0)).toBe(true);
    for (const bad of [2147483648, -2147483649, 1.5, '5', NaN, true]) expect(refused({ type: 'int' }, bad)).toBe('type');
  });

  it('bigint takes safe integers, and digit strings up to 64 bits', () => {
    expect(ok({ type: 'bigint' }, 42)).toBe(42);
    expect(ok({ type: 'bigint' }, '42')).toBe(42);
    expect(ok({ type: 'bigint' }, '-0042')).toBe(-42);
    expect(ok({ type: 'bigint' }, '9223372036854775807')).toBe('9223372036854775807');
    expect(ok({ type: 'bigint' }, '-9223372036854775808')).toBe('-9223372036854775808');
    for (const bad of ['9223372036854775808', 2 ** 53, 1.5, '1.5', '12a', '', '1e3']) {
      expect(refused({ type: 'bigint' }, bad)).toBe('type');
    }
  });

  it('decimal takes numbers and numeric strings', () => {
    expect(ok({ type: 'decimal' }, 12.5)).toBe(12.5);
    expect(ok({ type: 'decimal' }, '12.50')).toBe('12.50');
    expect(ok({ type: 'decimal' }, '+.5')).toBe('0.5');
    expect(ok({ type: 'decimal' }, '1e3')).toBe('1000');
    expect(ok({ type: 'decimal' }, '-0.0')).toBe('0.0');
    for (const bad of ['NaN', 'Infinity', ' 1', '1,5', '', '.', Infinity, NaN, true, '1e99999999']) {
      expect(refused({ type: 'decimal' }, bad)).toBe('type');
    }
  });

  it('decimal with a precision rounds half away from zero, as NUMERIC(18,p) does', () => {
    const money = { type: 'decimal' as const, precision: 2 };
    expect(ok(money, '1.005')).toBe('1.01');
    expect(ok(money, 1.005)).toBe(1.01);
    expect(ok(money, '-1.005')).toBe('-1.01');
    expect(ok(money, '1.004')).toBe('1.00');
    expect(ok(money, '9.999')).toBe('10.00');
    expect(ok(money, 0.1 + 0.2)).toBe(0.3);
    expect(ok(money, '5')).toBe('5.00');
    expect(ok(money, 1e-7)).toBe(0);
    expect(ok(money, '-0.001')).toBe('0.00');
  });

  it('decimal with a precision refuses more than 18 - p digits before the point', () => {
    const money = { type: 'decimal' as const, precision: 2 };
    expect(ok(money, '9999999999999999.99')).toBe('9999999999999999.99');
    expect(refused(money, '99999999999999999')).toBe('precision');
    expect(refused(money, '9999999999999999.995')).toBe('precision');
    expect(refused({ type: 'decimal', precision: 18 }, 1)).toBe('precision');
    expect(ok({ type: 'decimal', precision: 18 }, 0.5)).toBe(0.5);
  });

  it('boolean is true or false only', () => {
    expect(ok({ type: 'boolean' }, false)).toBe(false);
    for (const bad of ['true', 1, 0, null]) expect(refused({ type: 'boolean' }, bad)).toBe('type');
  });

  it('uuid is 8-4-4-4-12 hex, lower-cased', () => {
    expect(ok({ type: 'uuid' }, '0192F4E2-7B1C-7DEF-8ABC-0123456789AB')).toBe('0192f4e2-7b1c-7def-8abc-0123456789ab');
    for (const bad of ['0192f4e27b1c7def8abc0123456789ab', 'not-a-uuid', '0192f4e2-7b1c-7def-8abc-0123456789ag', 7]) {
      expect(refused({ type: 'uuid' }, bad)).toBe('type');
    }
  });

  it('timestamp needs a zone and becomes UTC, microseconds kept', () => {
    expect(ok({ type: 'timestamp' }, '2026-11-23T10:30:00+02:00')).toBe('2026-11-23T08:30:00.000Z');
    expect(ok({ type: 'timestamp' }, '2026-11-23t08:30z')).toBe('2026-11-23T08:30:00.000Z');
    expect(ok({ type: 'timestamp' }, '2026-11-23 08:30:00.123456Z')).toBe('2026-11-23T08:30:00.123456Z');
    expect(ok({ type: 'timestamp' }, '2026-11-23T08:30:00.1234569Z')).toBe('2026-11-23T08:30:00.123456Z');
    expect(ok({ type: 'timestamp' }, '2026-11-23T08:30:00.120000Z')).toBe('2026-11-23T08:30:00.120Z');
    expect(ok({ type: 'timestamp' }, '2026-01-01T00:30:00+0100')).toBe('2025-12-31T23:30:00.000Z');
    expect(ok({ type: 'timestamp' }, '2024-02-29T23:00:00-03')).toBe('2024-03-01T02:00:00.000Z');
    for (const bad of [
      '2026-11-23T08:30:00',
      '2026-11-23',
      '2026-02-30T00:00:00Z',
      '2026-11-23T24:00:00Z',
      '2026-11-23T23:59:60Z',
      '2026-11-23T08:30:00+24:00',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:00:00-02:00',
      'yesterday',
      1700000000000,
    ]) {
      expect(refused({ type: 'timestamp' }, bad)).toBe('type');
    }
  });

  it('date is YYYY-MM-DD and a real day', () => {
    expect(ok({ type: 'date' }, '2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2026-13-01', '2026-1-1', '2026-11-23T00:00:00Z', '0000-01-01']) {
      expect(refused({ type: 'date' }, bad)).toBe('type');
    }
  });

  it('json takes any JSON value but not what JSON cannot carry', () => {
    expect(ok({ type: 'json' }, { a: [1, 'x', null, { b: true }] })).toEqual({ a: [1, 'x', null, { b: true }] });
    expect(ok({ type: 'json' }, 'plain string')).toBe('plain string');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [{ a: undefined }, [NaN], { d: new Date() }, cyclic, { 'k\u0000': 1 }, ['\u0000'], [, 1], ['\ud800'], { 'k\udfff': 1 }]) {
      expect(refused({ type: 'json' }, bad)).toBe('type');
    }
  });

  it('json walks deep documents without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(isJsonValue(deep)).toBe(true);
  });

  it('file is a file id or a file object (Rocket passes objects through)', () => {
    expect(ok({ type: 'file' }, '0192F4E2-7B1C-7DEF-8ABC-0123456789AB')).toBe('0192f4e2-7b1c-7def-8abc-0123456789ab');
    const meta = { id: 'x', filename: 'a.png', size: 3, mime_type: 'image/png' };
    expect(ok({ type: 'file' }, meta)).toBe(meta);
    for (const bad of ['a.png', 5, [meta]]) expect(refused({ type: 'file' }, bad)).toBe('type');
  });

  it('null is the caller business and never a value of a type', () => {
    for (const type of Object.keys(valid) as FieldType[]) {
      if (type !== 'json') expect(refused({ type }, null)).toBe('type');
    }
  });

  describe('properties', () => {
    for (const type of Object.keys(valid) as FieldType[]) {
      it(`${type}: a value that fits always validates, and normalizing is idempotent`, () => {
        fc.assert(
          fc.property(valid[type], (value) => {
            const once = ok({ type }, value);
            expect(ok({ type }, once)).toEqual(once);
          }),
        );
      });
    }

    it('decimal with a precision: idempotent, and strings carry exactly p fraction digits', () => {
      fc.assert(
        fc.property(fittingDecimal, fc.integer({ min: 1, max: 6 }), (value, precision) => {
          const field = { type: 'decimal' as const, precision };
          const once = ok(field, value);
          expect(ok(field, once)).toEqual(once);
          if (typeof once === 'string') expect(once.split('.')[1]).toHaveLength(precision);
          // A double near 1e9 is only exact to ~1e-7: allow for the representation, not just the rounding.
          else expect(Math.abs((once as number) - (value as number))).toBeLessThanOrEqual(0.5 * 10 ** -precision + Math.abs(value as number) * 4 * Number.EPSILON + 1e-9);
        }),
      );
    });

    it('timestamp: the normalized value is the same instant', () => {
      fc.assert(
        fc.property(valid.timestamp, (value) => {
          const once = ok({ type: 'timestamp' }, value) as string;
          const text = value as string;
          const withMillisOnly = text.replace(/(\.\d{3})\d+/, '$1');
          expect(Date.parse(once)).toBe(Date.parse(withMillisOnly.replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/([+-]\d{2})$/, '$1:00')));
        }),
      );
    });

    it('int: a number outside 32 bits or with a fraction never validates', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n)),
            fc.integer({ min: 2147483648, max: Number.MAX_SAFE_INTEGER }),
          ),
          (value) => {
            expect(refused({ type: 'int' }, value)).toBe('type');
          },
        ),
      );
    });
  });
});
