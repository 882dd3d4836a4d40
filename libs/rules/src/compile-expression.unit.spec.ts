import { compileExpression, evaluateExpression, ExpressionContext } from './compile-expression';

function run(text: string, context: ExpressionContext = {}): unknown {
  const result = evaluateExpression(text, context);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.value;
}

function runError(text: string, context: ExpressionContext = {}): string {
  const result = evaluateExpression(text, context);
  if (result.ok) throw new Error(`${text} evaluated to ${JSON.stringify(result.value)}`);
  return result.message;
}

describe('operators', () => {
  const record = { a: 3, b: 4.5, s: 'paid', t: 'x', flag: true, tags: ['red', 'blue'], n: null };
  it.each([
    ['record.a == 3', true],
    ['record.a != 3', false],
    ['record.a < record.b', true],
    ['record.a <= 3', true],
    ['record.a > record.b', false],
    ['record.b >= 4.5', true],
    ['record.flag && record.a == 3', true],
    ['record.flag and false', false],
    ['false || record.flag', true],
    ['false or false', false],
    ['!record.flag', false],
    ['not record.flag', false],
    ['record.a + record.b', 7.5],
    ['record.b - record.a', 1.5],
    ['record.a * record.b', 13.5],
    ['record.b / record.a', 1.5],
    ['7 % 3', 1],
    ['-record.a', -3],
    ['2 + 3 * 4', 14],
    ['(2 + 3) * 4', 20],
    ["record.s == 'paid'", true],
    ['record.s == "paid"', true],
    ["record.s + '-' + record.t", 'paid-x'],
    ["'red' in record.tags", true],
    ["'green' in record.tags", false],
    ["'green' not in record.tags", true],
    ["record.s in ['draft', 'paid']", true],
    ["'s' in record", true],
    ['record.n == nil', true],
    ['record.absent == nil', true],
    ['record.absent.deeper == nil', true],
    ['record.n ?? 5', 5],
    ["record.s contains 'ai'", true],
    ["record.s startsWith 'pa'", true],
    ["record.s endsWith 'id'", true],
    ["record.a > 2 ? 'big' : 'small'", 'big'],
    ['record.tags[0]', 'red'],
    ['record.tags[-1]', 'blue'],
    ["record['s']", 'paid'],
  ])('%s → %p', (text, expected) => {
    expect(run(text, { record })).toEqual(expected);
  });
});

describe('functions', () => {
  const record = { name: '  Ada  ', items: [{ q: 2, p: 1.25 }, { q: 3, p: '0.10' }], roles: ['a'] };
  it.each([
    ['len(record.items)', 2],
    ["len('héllo')", 5],
    ['len(record.missing)', 0],
    ["sum(record.items, 'q * p')", 2.8],
    ["sum(record.missing, 'q')", 0],
    ["sum([1, 2, 3.5])", 6.5],
    ['upper(trim(record.name))', 'ADA'],
    ["lower('ABC')", 'abc'],
    ["trimPrefix('invoice-12', 'invoice-')", '12'],
    ["trimSuffix('a.pdf', '.pdf')", 'a'],
    ["hasPrefix('abc', 'ab')", true],
    ["hasSuffix('abc', 'bc')", true],
    ["indexOf('abc', 'c')", 2],
    ["replace('a-b-c', '-', '+')", 'a+b+c'],
    ["split('a,b', ',')", ['a', 'b']],
    ['abs(-2.5)', 2.5],
    ['min(2, 1.5)', 1.5],
    ['max(2, 1.5)', 2],
    ['round(2.5)', 3],
    ['round(-2.5)', -3],
    ['floor(-2.5)', -3],
    ['ceil(2.1)', 3],
    ['int(3.9)', 3],
    ["float('2.50') * 2", 5],
    ['string(12.5)', '12.5'],
  ])('%s → %p', (text, expected) => {
    expect(run(text, { record })).toEqual(expected);
  });
});

describe('numbers', () => {
  it('record.total * 0.2 works for an integer total and for a fractional one', () => {
    expect(run('record.total * 0.2', { record: { total: 100 } })).toBe(20);
    expect(run('record.total * 0.2', { record: { total: 100.5 } })).toBe(20.1);
  });

  it('adds decimals exactly (no 0.30000000000000004)', () => {
    expect(run('record.a + record.b', { record: { a: 0.1, b: 0.2 } })).toBe(0.3);
  });

  it('reads a decimal field stored as text without losing digits', () => {
    const record = { price: '12345678901234567.89', qty: 2 };
    expect(run('record.price * record.qty', { record })).toBe('24691357802469135.78');
    expect(run('record.price > 12345678901234567', { record })).toBe(true);
  });

  it('refuses division by zero at run time', () => {
    expect(runError('1 / record.zero', { record: { zero: 0 } })).toMatch(/division by zero/);
  });
});

describe('errors', () => {
  it('gives line and column of a syntax error', () => {
    const result = compileExpression("record.status == 'paid' &&\n  record.total >");
    expect(result).toMatchObject({ ok: false, details: [{ rule: 'expression', line: 2, column: 17 }] });
  });

  it.each([
    ['record.total >', /unexpected end/],
    ["record.status == 'paid", /unterminated string/],
    ['unknown_root.x', /unknown name 'unknown_root'/],
    ['eval(1)', /unknown function 'eval'/],
    ['record.save()', /only the listed functions/],
    ['len(1, 2)', /takes 1 argument/],
    ["sum(record.items, record.x)", /quoted expression/],
    ["sum(record.items, 'q *')", /unexpected end/],
    ['', /empty/],
    ['1 2', /unexpected number 2/],
    ['record.#', /unexpected character/],
  ])('%s is refused', (text, message) => {
    const result = compileExpression(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.details[0].message).toMatch(message);
  });

  it('reports a type mismatch at run time with the types', () => {
    expect(runError("record.s * 2", { record: { s: 'abc' } })).toMatch(/invalid operation: string \* number/);
    expect(runError('record.a > 1', { record: {} })).toMatch(/invalid operation: nil > number/);
  });

  it('compiles each text once', () => {
    const first = compileExpression('record.a == 1');
    expect(compileExpression('record.a == 1')).toBe(first);
  });

  it('keeps workflow roots apart from record roots', () => {
    expect(compileExpression('context.amount > 10000').ok).toBe(false);
    const workflow = compileExpression('context.amount > 10000', { scope: 'workflow' });
    expect(workflow.ok && workflow.value.evaluate({ context: { amount: 50000 } })).toEqual({ ok: true, value: true });
    const trigger = compileExpression("trigger.record.status == 'sent'", { scope: 'workflow' });
    expect(trigger.ok && trigger.value.evaluate({ trigger: { record: { status: 'sent' } } })).toEqual({ ok: true, value: true });
  });
});

describe('Rocket documentation examples, as written', () => {
  it('conditional required field', () => {
    const text = "record.status == 'paid' && record.payment_date == nil";
    expect(run(text, { record: { status: 'paid', payment_date: null } })).toBe(true);
    expect(run(text, { record: { status: 'paid', payment_date: '2025-01-01' } })).toBe(false);
  });

  it('cross-field comparison', () => {
    const text = 'record.end_date != nil && record.end_date <= record.start_date';
    expect(run(text, { record: { start_date: '2025-02-01', end_date: '2025-01-01' } })).toBe(true);
    expect(run(text, { record: { start_date: '2025-01-01', end_date: '2025-02-01' } })).toBe(false);
    expect(run(text, { record: { start_date: '2025-01-01' } })).toBe(false);
  });

  it('prevent update of locked records', () => {
    const text = "action == 'update' && old.status == 'void'";
    expect(run(text, { action: 'update', old: { status: 'void' }, record: {} })).toBe(true);
    expect(run(text, { action: 'create', old: null, record: {} })).toBe(false);
  });

  it('cross-entity check through related', () => {
    expect(run('len(related.invoices) > 0', { related: { invoices: [{ id: 1 }] } })).toBe(true);
    expect(run('len(related.invoices) > 0', { related: { invoices: [] } })).toBe(false);
  });

  it('role-based field restriction', () => {
    const text = "action == 'update' && old.status != record.status && !('admin' in user.roles)";
    const context = { action: 'update', old: { status: 'sent' }, record: { status: 'paid' } };
    expect(run(text, { ...context, user: { id: 'u', roles: ['accountant'] } })).toBe(true);
    expect(run(text, { ...context, user: { id: 'u', roles: ['admin'] } })).toBe(false);
  });

  it('computed total from related items', () => {
    const items = [{ quantity: 2, unit_price: 9.99 }, { quantity: 1, unit_price: 0.02 }];
    expect(run("sum(related.items, 'quantity * unit_price')", { related: { items } })).toBe(20);
  });

  it('state machine guard and workflow condition', () => {
    const guard = 'record.payment_date != nil && record.payment_amount >= record.total';
    expect(run(guard, { record: { payment_date: '2025-01-02', payment_amount: 100, total: 99.5 } })).toBe(true);
    expect(evaluateExpression('context.amount > 10000', { context: { amount: 50000 } }, { scope: 'workflow' })).toEqual({ ok: true, value: true });
  });
});
