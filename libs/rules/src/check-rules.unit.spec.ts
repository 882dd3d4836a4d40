import { checkRules } from './check-rules';
import { checkFieldRule } from './field-rules';
import { parseRuleDefinition, Rule } from './rule-definition';

function rule(json: Record<string, unknown>): Rule {
  const parsed = parseRuleDefinition({ entity: 'invoice', hook: 'before_write', ...json });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}

function field(definition: Record<string, unknown>, extra: Record<string, unknown> = {}): Rule {
  return rule({ type: 'field', definition, ...extra });
}

function fieldDetail(r: Rule, record: Record<string, unknown>) {
  if (r.type !== 'field') throw new Error('not a field rule');
  return checkFieldRule(r, record);
}

describe("Rocket's rules_test.go, ported", () => {
  it('min', () => {
    const r = field({ field: 'total', operator: 'min', value: 0, message: 'Total must be non-negative' });
    expect(fieldDetail(r, { total: -5 })).toEqual({ field: 'total', rule: 'min', message: 'Total must be non-negative' });
    expect(fieldDetail(r, { total: 0 })).toBeNull();
    expect(fieldDetail(r, { total: 10 })).toBeNull();
    expect(fieldDetail(r, {})).toBeNull();
  });

  it('max', () => {
    const r = field({ field: 'quantity', operator: 'max', value: 100, message: 'Quantity cannot exceed 100' });
    expect(fieldDetail(r, { quantity: 150 })).toMatchObject({ rule: 'max' });
    expect(fieldDetail(r, { quantity: 50 })).toBeNull();
  });

  it('min_length', () => {
    const r = field({ field: 'name', operator: 'min_length', value: 3, message: 'Name must be at least 3 characters' });
    expect(fieldDetail(r, { name: 'AB' })).toMatchObject({ rule: 'min_length' });
    expect(fieldDetail(r, { name: 'Alice' })).toBeNull();
  });

  it('max_length', () => {
    const r = field({ field: 'code', operator: 'max_length', value: 5, message: 'Code must be at most 5 characters' });
    expect(fieldDetail(r, { code: 'TOOLONG' })).not.toBeNull();
    expect(fieldDetail(r, { code: 'ABC' })).toBeNull();
  });

  it('pattern', () => {
    const r = field({ field: 'email', operator: 'pattern', value: '^[^@]+@[^@]+\\.[^@]+$', message: 'Invalid email format' });
    expect(fieldDetail(r, { email: 'notanemail' })).toMatchObject({ rule: 'pattern' });
    expect(fieldDetail(r, { email: 'user@example.com' })).toBeNull();
  });

  it('compiles an expression', () => {
    expect(rule({ type: 'expression', expression: "record.status == 'paid' && record.payment_date == nil" }).type).toBe('expression');
  });

  it('expression violated, and passing', () => {
    const r = rule({ type: 'expression', definition: { expression: "record.status == 'paid' && record.payment_date == nil", message: 'Payment date is required when status is paid' } });
    expect(checkRules([r], { status: 'paid', payment_date: null }, null)).toEqual({
      ok: false,
      details: [{ rule: 'expression', message: 'Payment date is required when status is paid' }],
    });
    expect(checkRules([r], { status: 'paid', payment_date: '2025-01-01' }, null).ok).toBe(true);
  });

  it('expression with the old record', () => {
    const r = rule({ type: 'expression', definition: { expression: "action == 'update' && record.status == 'cancelled' && old.status == 'paid'", message: 'Cannot cancel a paid order' } });
    expect(checkRules([r], { status: 'cancelled' }, { status: 'paid' }).ok).toBe(false);
    expect(checkRules([r], { status: 'cancelled' }, { status: 'paid' }, { action: 'create' }).ok).toBe(true);
  });

  it('computed field', () => {
    const r = rule({ type: 'computed', definition: { field: 'total', expression: 'record.subtotal * (1 + record.tax_rate)' } });
    expect(checkRules([r], { subtotal: 100, tax_rate: 0.1 }, null)).toEqual({ ok: true, value: { subtotal: 100, tax_rate: 0.1, total: 110 } });
  });

  it('computed string concatenation', () => {
    const r = rule({ type: 'computed', definition: { field: 'display_name', expression: "record.first_name + ' ' + record.last_name" } });
    expect(checkRules([r], { first_name: 'John', last_name: 'Doe' }, null)).toMatchObject({ ok: true, value: { display_name: 'John Doe' } });
  });

  it('integer values against a min of 18', () => {
    const r = field({ field: 'age', operator: 'min', value: 18, message: 'Must be at least 18' });
    expect(fieldDetail(r, { age: 16 })).not.toBeNull();
    expect(fieldDetail(r, { age: 20 })).toBeNull();
  });
});

describe("Rocket's metadata rule_test.go, ported", () => {
  it('parses a field rule, an expression rule with related_load, and a computed rule', () => {
    expect(field({ field: 'total', operator: 'min', value: 0, message: 'Total must be non-negative' })).toMatchObject({
      type: 'field', field: 'total', operator: 'min', value: 0, message: 'Total must be non-negative',
    });
    const expression = rule({ type: 'expression', definition: { expression: "record.status == 'paid' && record.payment_date == nil", message: 'm', stop_on_fail: true, related_load: [{ relation: 'items' }] } });
    expect(expression).toMatchObject({ stopOnFail: true, relatedLoad: [{ relation: 'items' }] });
    expect(rule({ type: 'computed', definition: { field: 'total', expression: 'record.subtotal * (1 + record.tax_rate)' } })).toMatchObject({ field: 'total' });
  });

  it('keeps active before_write rules of the hook only', () => {
    const rules = [
      field({ field: 'a', operator: 'required' }),
      rule({ type: 'expression', expression: 'true', message: 'write' }),
      rule({ hook: 'before_delete', type: 'expression', expression: 'true', message: 'delete' }),
      field({ field: 'b', operator: 'required' }, { active: false }),
    ];
    const onWrite = checkRules(rules, {}, {});
    expect(onWrite.ok || onWrite.details.map((d) => d.message)).toEqual(['field a failed required validation', 'write']);
    const onDelete = checkRules(rules, {}, {}, { hook: 'before_delete' });
    expect(onDelete.ok || onDelete.details.map((d) => d.message)).toEqual(['delete']);
  });
});

describe('field rule operators beyond Rocket Go', () => {
  it('required fails on absent, null and empty text', () => {
    const r = field({ field: 'number', operator: 'required' });
    for (const record of [{}, { number: null }, { number: '' }]) expect(fieldDetail(r, record)).toMatchObject({ rule: 'required' });
    expect(fieldDetail(r, { number: 'INV-1' })).toBeNull();
    expect(fieldDetail(r, { number: 0 })).toBeNull();
  });

  it('not_empty fails on absent, null, blank text and an empty list', () => {
    const r = field({ field: 'number', operator: 'not_empty' });
    for (const record of [{}, { number: null }, { number: '  ' }, { number: [] }]) expect(fieldDetail(r, record)).toMatchObject({ rule: 'not_empty' });
    expect(fieldDetail(r, { number: 'x' })).toBeNull();
  });

  it('enum allows only the listed values', () => {
    const r = field({ field: 'status', operator: 'enum', value: ['draft', 'sent'] });
    expect(fieldDetail(r, { status: 'paid' })).toMatchObject({ rule: 'enum' });
    expect(fieldDetail(r, { status: 'sent' })).toBeNull();
    expect(fieldDetail(r, {})).toBeNull();
  });

  it('min and max read a decimal stored as text exactly', () => {
    const r = field({ field: 'total', operator: 'max', value: 100 });
    expect(fieldDetail(r, { total: '100.00000000000000001' })).toMatchObject({ rule: 'max' });
    expect(fieldDetail(r, { total: '100.00' })).toBeNull();
  });

  it('counts characters, not UTF-16 units, for lengths', () => {
    expect(fieldDetail(field({ field: 'n', operator: 'max_length', value: 2 }), { n: '😀😀' })).toBeNull();
  });
});

describe("Rocket's design-page shape: conditions with gte, gt, lte, lt", () => {
  const layer1 = rule({
    conditions: [{ field: 'total', operator: 'gte', value: 0 }, { field: 'number', operator: 'not_empty' }],
    message: 'Invoice total must be non-negative and number is required',
  });
  const run = (record: Record<string, unknown>) => checkRules([layer1], record, null, { user: { id: 'u', roles: [] }, now: '2026-12-02T00:00:00Z' });

  it('is a field rule whose every condition is checked, each failure on its own field with the message', () => {
    expect(run({ total: '10.00', number: 'INV-1' })).toMatchObject({ ok: true });
    expect(run({ total: '-0.01', number: '' })).toEqual({
      ok: false,
      details: [
        { field: 'total', rule: 'gte', message: 'Invoice total must be non-negative and number is required' },
        { field: 'number', rule: 'not_empty', message: 'Invoice total must be non-negative and number is required' },
      ],
    });
    expect(run({ total: 0, number: 'x' })).toMatchObject({ ok: true });
  });

  it('the comparisons: gte and lte inclusive, gt and lt strict, decimals exact', () => {
    const check = (operator: string, value: number, total: unknown) => fieldDetail(field({ field: 'total', operator, value }), { total }) === null;
    expect([check('gte', 10, '10.00'), check('gte', 10, '9.99'), check('gt', 10, '10.00'), check('gt', 10, '10.01')]).toEqual([true, false, false, true]);
    expect([check('lte', 10, '10.00'), check('lte', 10, '10.01'), check('lt', 10, '10'), check('lt', 10, '9.999')]).toEqual([true, false, false, true]);
  });

  it('refuses an empty or malformed conditions list, naming the condition', () => {
    const refusal = (definition: Record<string, unknown>) => parseRuleDefinition({ entity: 'invoice', ...definition });
    expect(refusal({ conditions: [] })).toMatchObject({ ok: false, details: [{ field: 'conditions' }] });
    expect(refusal({ conditions: [{ field: 'total', operator: 'gte', value: 'x' }] })).toMatchObject({ ok: false, details: [{ field: 'conditions[0].value' }] });
    expect(refusal({ conditions: [{ field: 'total', operator: 'gte', value: 0 }, { operator: 'not_empty' }] })).toMatchObject({ ok: false, details: [{ field: 'conditions[1].field' }] });
  });
});

describe('parseRuleDefinition refusals', () => {
  it.each([
    [{ type: 'expression', expression: 'record.total >' }, 'expression', /unexpected end.*line 1, column 15/],
    [{ type: 'field', definition: { field: 'a', operator: 'between', value: 0 } }, 'operator', /must be one of/],
    [{ type: 'field', definition: { field: 'a', operator: 'min', value: 'x' } }, 'value', /needs a number/],
    [{ type: 'field', definition: { field: 'a', operator: 'pattern', value: '(a+)+$' } }, 'value', /nested repetition/],
    [{ type: 'field', definition: { field: 'a', operator: 'pattern', value: '[' } }, 'value', /not a valid regular expression/],
    [{ type: 'field', definition: { field: 'a', operator: 'enum', value: [] } }, 'value', /non-empty list/],
    [{ type: 'computed', definition: { expression: '1' } }, 'field', /field is required/],
    [{ type: 'sql' }, 'type', /must be one of/],
    [{ hook: 'after_write', type: 'expression', expression: 'true' }, 'hook', /must be one of/],
    [{ type: 'expression', expression: 'true', priority: 1.5 }, 'priority', /integer/],
    [{ type: 'expression', expression: 'true', related_load: [{}] }, 'related_load[0]', /relation/],
  ])('%j is refused on %s', (json, fieldName, message) => {
    const parsed = parseRuleDefinition({ entity: 'invoice', ...json });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: fieldName, message: expect.stringMatching(message) })]));
  });

  it('refuses what is not an object, and a missing entity', () => {
    expect(parseRuleDefinition('rule').ok).toBe(false);
    expect(parseRuleDefinition({ type: 'expression', expression: 'true' })).toMatchObject({ ok: false, details: [{ field: 'entity' }] });
  });
});

describe('checkRules', () => {
  const failing = (name: string, priority: number, extra: Record<string, unknown> = {}) =>
    rule({ type: 'expression', expression: 'true', message: name, priority, ...extra });

  it('runs rules in priority order, lowest first, ties in the order given', () => {
    const result = checkRules([failing('c', 5), failing('a', 1), failing('b', 1), failing('z', -1)], {}, null);
    expect(result.ok || result.details.map((d) => d.message)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('runs field rules before expression rules whatever their priority', () => {
    const result = checkRules([failing('expr', 0), field({ field: 'a', operator: 'required', message: 'field' }, { priority: 10 })], {}, null);
    expect(result.ok || result.details.map((d) => d.message)).toEqual(['field', 'expr']);
  });

  it('stops at a failing rule with stop_on_fail', () => {
    const result = checkRules([failing('first', 1), failing('stop', 2, { stop_on_fail: true }), failing('never', 3)], {}, null);
    expect(result.ok || result.details.map((d) => d.message)).toEqual(['first', 'stop']);
  });

  it('a passing rule with stop_on_fail does not stop', () => {
    const passing = rule({ type: 'expression', expression: 'false', message: 'pass', stop_on_fail: true, priority: 1 });
    const result = checkRules([passing, failing('after', 2)], {}, null);
    expect(result.ok || result.details.map((d) => d.message)).toEqual(['after']);
  });

  it('skips inactive rules', () => {
    expect(checkRules([failing('off', 1, { active: false })], {}, null)).toEqual({ ok: true, value: {} });
  });

  it('reports an expression that cannot run as a failure', () => {
    const r = rule({ type: 'expression', expression: 'record.total > 0', message: 'm' });
    expect(checkRules([r], {}, null)).toMatchObject({ ok: false, details: [{ rule: 'expression', message: expect.stringMatching(/^rule evaluation error: /) }] });
  });

  it('treats a non-boolean result as a pass, as Rocket', () => {
    expect(checkRules([rule({ type: 'expression', expression: "'text'" })], {}, null).ok).toBe(true);
  });

  it('computes fields after validation, in priority order, each seeing the ones before', () => {
    const rules = [
      rule({ type: 'computed', field: 'total', expression: 'record.net + record.tax', priority: 2 }),
      rule({ type: 'computed', field: 'tax', expression: 'record.net * 0.2', priority: 1 }),
    ];
    const next = { net: 100.5 };
    expect(checkRules(rules, next, null)).toEqual({ ok: true, value: { net: 100.5, tax: 20.1, total: 120.6 } });
    expect(next).toEqual({ net: 100.5 });
  });

  it('does not compute fields when a rule failed', () => {
    const result = checkRules([failing('no', 1), rule({ type: 'computed', field: 'x', expression: '1' })], {}, null);
    expect(result).toEqual({ ok: false, details: [{ rule: 'expression', message: 'no' }] });
  });

  it('reports a computed field that cannot be evaluated', () => {
    const result = checkRules([rule({ type: 'computed', field: 'x', expression: 'record.a * 2' })], { a: 'text' }, null);
    expect(result).toMatchObject({ ok: false, details: [{ field: 'x', rule: 'computed' }] });
  });

  it('computes from related rows the shell loaded (related_load)', () => {
    const r = rule({ type: 'computed', field: 'total', expression: "sum(related.items, 'quantity * unit_price')", related_load: [{ relation: 'items' }] });
    const related = { items: [{ quantity: 3, unit_price: '19.99' }, { quantity: 1, unit_price: 0.03 }] };
    expect(checkRules([r], {}, null, { related })).toEqual({ ok: true, value: { total: 60 } });
  });

  it('runs before_delete rules with action delete', () => {
    const r = rule({ hook: 'before_delete', type: 'expression', expression: "action == 'delete' && len(related.invoices) > 0", message: 'Cannot delete customer with existing invoices' });
    expect(checkRules([r], { id: 'c' }, { id: 'c' }, { hook: 'before_delete', related: { invoices: [{ id: 'i' }] } }).ok).toBe(false);
    expect(checkRules([r], { id: 'c' }, { id: 'c' }, { hook: 'before_delete', related: { invoices: [] } }).ok).toBe(true);
  });

  it('gives the user and now to expressions', () => {
    const r = rule({ type: 'expression', expression: "!('admin' in user.roles) && record.due < now", message: 'late' });
    const context = { user: { id: 'u', roles: ['clerk'] }, now: '2025-06-01T00:00:00.000Z' };
    expect(checkRules([r], { due: '2025-05-01' }, null, context).ok).toBe(false);
    expect(checkRules([r], { due: '2025-07-01' }, null, context).ok).toBe(true);
  });
});

describe("Rocket's invoice example (its design page, layers 1 and 2)", () => {
  const rules = [
    field({ field: 'number', operator: 'not_empty', message: 'Invoice number is required' }),
    field({ field: 'total', operator: 'min', value: 0, message: 'Invoice total must be non-negative' }),
    rule({ type: 'expression', expression: "record.status == 'paid' && record.payment_date == nil", message: 'Payment date is required when status is paid', stop_on_fail: true }),
    rule({ type: 'computed', field: 'total', expression: "sum(related.items, 'quantity * unit_price')", related_load: [{ relation: 'items' }] }),
  ];

  it('accepts a good invoice and sets its total', () => {
    const result = checkRules(rules, { number: 'INV-1', status: 'draft', total: 0 }, null, { related: { items: [{ quantity: 2, unit_price: 12.5 }] } });
    expect(result).toEqual({ ok: true, value: { number: 'INV-1', status: 'draft', total: 25 } });
  });

  it('collects the field failures and the expression failure', () => {
    const result = checkRules(rules, { status: 'paid', total: -1 }, null);
    expect(result.ok || result.details.map((d) => d.rule)).toEqual(['not_empty', 'min', 'expression']);
  });
});
