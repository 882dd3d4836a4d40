import fc from 'fast-check';
import type { ErrorDetail } from '@takes/contracts';
import { parseEntityDefinition, type EntityDefinition } from './entity-definition';
import { FIELD_TYPES } from './field-values';
import {
  normalizeRecordState,
  validateRecordState,
  validateRecordWrite,
  visibleRecord,
  type RecordOp,
  type RecordWriteOptions,
} from './record-validation';

function entity(input: unknown): EntityDefinition {
  const result = parseEntityDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.value;
}

/** Rocket's cookbook invoice (docs/examples.md), plus a soft delete column and Takes' history. */
const invoice = entity({
  name: 'invoice',
  table: 'invoices',
  primary_key: { field: 'id', type: 'uuid', generated: true },
  soft_delete: true,
  fields: [
    { name: 'id', type: 'uuid', required: true },
    { name: 'number', type: 'string', required: true, unique: true },
    { name: 'customer_id', type: 'uuid', required: true },
    { name: 'status', type: 'string', default: 'draft', enum: ['draft', 'sent', 'paid', 'void'] },
    { name: 'total', type: 'decimal', precision: 2, default: 0 },
    { name: 'payment_date', type: 'date' },
    { name: 'sent_at', type: 'timestamp' },
    { name: 'notes', type: 'text' },
    { name: 'tags', type: 'json', default: { list: [] } },
    { name: 'reviewer', type: 'string', required: true, nullable: true },
    { name: 'created_at', type: 'timestamp', auto: 'create' },
    { name: 'updated_at', type: 'timestamp', auto: 'update' },
    { name: 'deleted_at', type: 'timestamp', nullable: true },
  ],
  removed_fields: [{ name: 'legacy_code', type: 'string' }],
});

const now = new Date('2026-11-23T08:00:00.000Z');
const NOW = now.toISOString();
const customerId = '0192f4e2-7b1c-7def-8abc-0123456789ab';
const recordId = '0192f4e3-0000-7000-8000-000000000001';

function accepted(op: RecordOp, data: unknown, options?: RecordWriteOptions, on = invoice): Record<string, unknown> {
  const result = validateRecordWrite(on, op, data, now, options);
  if (!result.ok) throw new Error(`expected ${op} to be accepted: ${JSON.stringify(result.error.toBody())}`);
  return result.value;
}
function refused(op: RecordOp, data: unknown, options?: RecordWriteOptions, on = invoice): ErrorDetail[] {
  const result = validateRecordWrite(on, op, data, now, options);
  if (result.ok) throw new Error(`expected ${op} to be refused`);
  expect(result.error.code).toBe('VALIDATION_FAILED');
  expect(result.error.message).toBe('Validation failed');
  return result.error.details as ErrorDetail[];
}
const rules = (details: ErrorDetail[]) => details.map((d) => `${d.field}:${d.rule}`);

describe('validateRecordWrite', () => {
  it('a body that is not a JSON object is INVALID_PAYLOAD (400)', () => {
    for (const body of [null, [], 'x', 3, [{ number: '1' }]]) {
      const result = validateRecordWrite(invoice, 'create', body, now);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_PAYLOAD');
    }
  });

  it('create: applies defaults and auto timestamps, leaves a generated key to the gateway, keeps field order', () => {
    const value = accepted('create', { reviewer: null, notes: 'n', customer_id: customerId.toUpperCase(), number: 'INV-1' });
    expect(value).toEqual({
      number: 'INV-1',
      customer_id: customerId,
      status: 'draft',
      total: 0,
      notes: 'n',
      tags: { list: [] },
      reviewer: null,
      created_at: NOW,
      updated_at: NOW,
    });
    expect(Object.keys(value)).toEqual(['number', 'customer_id', 'status', 'total', 'notes', 'tags', 'reviewer', 'created_at', 'updated_at']);
  });

  it('defaults are copies, never the definition’s own object', () => {
    const a = accepted('create', { number: '1', customer_id: customerId, reviewer: null });
    (a.tags as { list: unknown[] }).list.push('x');
    expect(accepted('create', { number: '2', customer_id: customerId, reviewer: null }).tags).toEqual({ list: [] });
  });

  it('create: a client id for the record is kept when it fits the key type', () => {
    expect(accepted('create', { id: recordId, number: '1', customer_id: customerId, reviewer: 'r' }).id).toBe(recordId);
    expect(accepted('create', { id: null, number: '1', customer_id: customerId, reviewer: 'r' })).not.toHaveProperty('id');
    expect(rules(refused('create', { id: 'abc', number: '1', customer_id: customerId, reviewer: 'r' }))).toEqual(['id:type']);
  });

  it('create: a key that is not generated must be given', () => {
    const coded = entity({ name: 'country', primary_key: { field: 'code', type: 'string', generated: false }, fields: [{ name: 'label', type: 'string' }] });
    expect(accepted('create', { code: 'fr', label: 'France' }, undefined, coded)).toEqual({ code: 'fr', label: 'France' });
    expect(rules(refused('create', { label: 'France' }, undefined, coded))).toEqual(['code:required']);
    expect(rules(refused('create', { code: '', label: 'France' }, undefined, coded))).toEqual(['code:required']);
    const counted = entity({ name: 'counter', primary_key: { field: 'n', type: 'int', generated: false }, fields: [] });
    expect(accepted('create', { n: 5 }, undefined, counted)).toEqual({ n: 5 });
  });

  it('create: required fields missing, null or "" are refused (Rocket), nullable required ones take null', () => {
    expect(refused('create', { number: '', customer_id: null })).toEqual([
      { field: 'number', rule: 'required', message: 'number is required' },
      { field: 'customer_id', rule: 'required', message: 'customer_id is required' },
    ]);
    expect(rules(refused('create', {}))).toEqual(['number:required', 'customer_id:required']);
  });

  it('a required field with a default is satisfied by its default', () => {
    const e = entity({ name: 'x', fields: [{ name: 'state', type: 'string', required: true, default: 'new' }] });
    expect(accepted('create', {}, undefined, e)).toEqual({ state: 'new' });
    expect(rules(refused('create', { state: null }, undefined, e))).toEqual(['state:required']);
  });

  it('unknown fields, removed ones included, are 422 with rule unknown (Rocket’s message)', () => {
    expect(refused('put', { nope: 1, legacy_code: 'x' })).toEqual([
      { field: 'nope', rule: 'unknown', message: 'Unknown field: nope' },
      { field: 'legacy_code', rule: 'unknown', message: 'Unknown field: legacy_code' },
    ]);
  });

  it('wrong types, enum violations and precision overflows are all reported at once', () => {
    const details = refused('put', {
      number: 7,
      customer_id: 'c-1',
      status: 'lost',
      total: '1e20',
      payment_date: '2026-02-30',
      sent_at: '2026-11-23T08:00:00',
      notes: { text: 'x' },
      tags: [NaN],
      extra: true,
    });
    expect(rules(details)).toEqual([
      'number:type',
      'customer_id:type',
      'status:enum',
      'total:precision',
      'payment_date:type',
      'sent_at:type',
      'notes:type',
      'tags:type',
      'extra:unknown',
    ]);
    expect(details[2].message).toBe('status must be one of: draft, sent, paid, void');
  });

  it('normalizes values: uuid lower case, timestamps UTC, decimals rounded to the precision', () => {
    expect(
      accepted('put', { customer_id: customerId.toUpperCase(), sent_at: '2026-11-23T10:00:00+02:00', total: '10.005', payment_date: '2026-11-23' }),
    ).toEqual({
      customer_id: customerId,
      total: '10.01',
      payment_date: '2026-11-23',
      sent_at: '2026-11-23T08:00:00.000Z',
      updated_at: NOW,
    });
  });

  it('server-set fields are silently dropped from the body (Rocket ignores them)', () => {
    const value = accepted('create', {
      number: '1',
      customer_id: customerId,
      reviewer: 'r',
      created_at: '1999-01-01T00:00:00Z',
      updated_at: 'garbage',
      deleted_at: '2000-01-01T00:00:00Z',
    });
    expect(value.created_at).toBe(NOW);
    expect(value.updated_at).toBe(NOW);
    expect(value).not.toHaveProperty('deleted_at');
  });

  it('put: fields left out are fine, null clears, required ones cannot be cleared', () => {
    expect(accepted('put', { notes: null, reviewer: null })).toEqual({ notes: null, reviewer: null, updated_at: NOW });
    expect(rules(refused('put', { number: null, customer_id: '' }))).toEqual(['number:required', 'customer_id:required']);
  });

  it('put: only auto "update" fields are stamped', () => {
    expect(accepted('put', {})).toEqual({ updated_at: NOW });
    const dated = entity({ name: 'x', fields: [{ name: 'day', type: 'date', auto: 'update' }, { name: 'born', type: 'date', auto: 'create' }] });
    expect(accepted('put', {}, undefined, dated)).toEqual({ day: '2026-11-23' });
    expect(accepted('create', {}, undefined, dated)).toEqual({ day: '2026-11-23', born: '2026-11-23' });
  });

  it('put: the primary key may be repeated but cannot change, and is never part of the result', () => {
    expect(accepted('put', { id: recordId.toUpperCase(), notes: 'x' }, { id: recordId })).toEqual({ notes: 'x', updated_at: NOW });
    expect(refused('put', { id: customerId }, { id: recordId })).toEqual([
      { field: 'id', rule: 'immutable', message: 'id is the primary key and cannot change' },
    ]);
    expect(rules(refused('put', { id: null }, { id: recordId }))).toEqual(['id:immutable']);
    expect(rules(refused('put', { id: 'x' }, { id: recordId }))).toEqual(['id:type']);
    expect(accepted('put', { id: customerId })).toEqual({ updated_at: NOW });
    const counted = entity({ name: 'counter', primary_key: { field: 'n', type: 'bigint', generated: false }, fields: [] });
    expect(accepted('put', { n: 5 }, { id: '5' }, counted)).toEqual({});
    expect(accepted('put', { n: '9007199254740993' }, { id: '9007199254740993' }, counted)).toEqual({});
    expect(rules(refused('put', { n: 6 }, { id: '5' }, counted))).toEqual(['n:immutable']);
  });

  it('undefined values (from JavaScript callers) count as left out', () => {
    expect(accepted('put', { notes: undefined })).toEqual({ updated_at: NOW });
  });

  it('a key such as __proto__ or constructor is an unknown field, not a trap', () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "constructor": 1}');
    expect(rules(refused('put', body))).toEqual(['__proto__:unknown', 'constructor:unknown']);
  });

  describe('properties', () => {
    const plain = entity({
      name: 'sample',
      fields: FIELD_TYPES.map((type) => ({ name: `f_${type}`, type, ...(type === 'decimal' ? { precision: 3 } : {}) })),
    });
    const valueOf: Record<string, fc.Arbitrary<unknown>> = {
      f_string: fc.string().filter((s) => !s.includes('\u0000')),
      f_text: fc.string().filter((s) => !s.includes('\u0000')),
      f_int: fc.integer({ min: -2147483648, max: 2147483647 }),
      f_bigint: fc.oneof(fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)),
      f_decimal: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.integer().map((n) => `${n}.25`)),
      f_boolean: fc.boolean(),
      f_uuid: fc.uuid(),
      f_timestamp: fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
      f_date: fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      f_json: fc.jsonValue().filter((v) => !JSON.stringify(v).includes('\\u0000')),
      f_file: fc.uuid(),
    };
    const bodyArb = fc.record(valueOf, { requiredKeys: [] });

    it('a body whose values fit their fields always validates, on create and on put', () => {
      fc.assert(
        fc.property(bodyArb, fc.constantFrom<RecordOp>('create', 'put'), (body, op) => {
          const value = accepted(op, body, undefined, plain);
          expect(Object.keys(value).sort()).toEqual(Object.keys(body).sort());
        }),
      );
    });

    it('validating the result again changes nothing (normalizing is idempotent)', () => {
      fc.assert(
        fc.property(bodyArb, (body) => {
          const once = accepted('put', body, undefined, plain);
          expect(accepted('put', once, undefined, plain)).toEqual(once);
          expect(normalizeRecordState(plain, once)).toEqual({ ok: true, value: once });
        }),
      );
    });

    it('any key that is not a field is refused, whatever its value', () => {
      fc.assert(
        fc.property(
          fc.string().filter((k) => !plain.fields.some((f) => f.name === k)),
          fc.jsonValue(),
          (key, value) => {
            const details = refused('put', { [key]: value }, undefined, plain);
            expect(details).toContainEqual({ field: key, rule: 'unknown', message: `Unknown field: ${key}` });
          },
        ),
      );
    });
  });
});

describe('validateRecordState', () => {
  const state = {
    id: recordId,
    number: 'INV-1',
    customer_id: customerId,
    status: 'draft',
    total: 10,
    reviewer: null,
    created_at: NOW,
    updated_at: NOW,
  };

  it('a valid state has no problems', () => {
    expect(validateRecordState(invoice, state)).toEqual([]);
  });

  it('checks types, enums and required fields of the whole state', () => {
    const { number: _n, ...withoutNumber } = state;
    expect(rules(validateRecordState(invoice, { ...withoutNumber, status: 'lost', total: 'ten', customer_id: null, extra: 1 }))).toEqual([
      'customer_id:required',
      'status:enum',
      'total:type',
      'extra:unknown',
      'number:required',
    ]);
  });

  it('the key and server-set fields are not held to required', () => {
    const keyless = entity({ name: 'x', fields: [{ name: 'id', type: 'uuid', required: true }, { name: 'at', type: 'timestamp', auto: 'create', required: true }] });
    expect(validateRecordState(keyless, {})).toEqual([]);
  });

  it('normalizes what a patch wrote', () => {
    expect(normalizeRecordState(invoice, { ...state, sent_at: '2026-11-23T10:00:00+02:00', deleted_at: null })).toEqual({
      ok: true,
      value: { ...state, sent_at: '2026-11-23T08:00:00.000Z', deleted_at: null },
    });
  });

  it('hidden data of a removed field is kept while the change leaves it alone, refused when it touches it', () => {
    const previous = { ...state, legacy_code: 'L-7' };
    expect(validateRecordState(invoice, { ...previous, notes: 'new' }, previous)).toEqual([]);
    expect(normalizeRecordState(invoice, { ...previous, notes: 'new' }, previous)).toEqual({ ok: true, value: { ...previous, notes: 'new' } });
    expect(rules(validateRecordState(invoice, { ...previous, legacy_code: 'L-8' }, previous))).toEqual(['legacy_code:unknown']);
    expect(rules(validateRecordState(invoice, previous))).toEqual(['legacy_code:unknown']);
  });

  it('with previous, problems the change did not cause are not reported (a rule tightened later)', () => {
    const previous = { ...state, status: 'archived' };
    expect(validateRecordState(invoice, { ...previous, notes: 'x' }, previous)).toEqual([]);
    expect(rules(validateRecordState(invoice, { ...previous, status: 'gone' }, previous))).toEqual(['status:enum']);
    const { number: _n, ...old } = state;
    expect(validateRecordState(invoice, { ...old, notes: 'x' }, old)).toEqual([]);
    expect(rules(validateRecordState(invoice, old, state))).toEqual(['number:required']);
  });

  it('refuses a state that is not an object', () => {
    expect(validateRecordState(invoice, [] as unknown as Record<string, unknown>)).toEqual([
      { rule: 'type', message: expect.any(String) },
    ]);
  });
});

describe('visibleRecord', () => {
  it('shows every declared field in order (null when unset), hides removed and unknown ones', () => {
    const shown = visibleRecord(invoice, { notes: 'n', id: recordId, legacy_code: 'L-7', _version: 3, number: 'INV-1' });
    expect(Object.keys(shown)).toEqual(invoice.fields.map((f) => f.name));
    expect(shown).toMatchObject({ id: recordId, number: 'INV-1', notes: 'n', status: null, deleted_at: null });
    expect(shown).not.toHaveProperty('legacy_code');
    expect(shown).not.toHaveProperty('_version');
  });

  it('adds deleted_at to a soft-delete entity that does not declare it, as a Rocket row has it', () => {
    const soft = entity({ name: 'x', soft_delete: true, fields: [{ name: 'a', type: 'string' }] });
    expect(visibleRecord(soft, { id: recordId, a: 'y' })).toEqual({ id: recordId, a: 'y', deleted_at: null });
    expect(visibleRecord(soft, { id: recordId, deleted_at: NOW })).toEqual({ id: recordId, a: null, deleted_at: NOW });
    const hard = entity({ name: 'x', fields: [{ name: 'a', type: 'string' }] });
    expect(visibleRecord(hard, { id: recordId, deleted_at: NOW })).toEqual({ id: recordId, a: null });
  });
});

describe('hidden keys', () => {
  it('a hidden key named __proto__ stays plain data', () => {
    const previous = JSON.parse(`{"id": "${recordId}", "number": "1", "customer_id": "${customerId}", "__proto__": {"polluted": true}}`);
    const result = normalizeRecordState(invoice, { ...previous }, previous);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
      expect(Object.keys(result.value)).toContain('__proto__');
    }
  });
});
