import { compileExpression, evaluateExpression } from './compile-expression';
import { DEFAULT_EXPRESSION_LIMITS } from './expression-limits';

function refusal(text: string): string {
  const result = compileExpression(text);
  if (result.ok) throw new Error(`${text.slice(0, 40)}… was accepted`);
  return result.details[0].message;
}

describe('hostile expressions', () => {
  it('refuses a huge expression at compile time', () => {
    expect(refusal('1 + '.repeat(5000) + '1')).toMatch(/too long/);
    expect(refusal('1 + '.repeat(900) + '1')).toMatch(/too large/);
  });

  it('refuses deep nesting at compile time, without overflowing the stack', () => {
    expect(refusal('('.repeat(1500) + '1' + ')'.repeat(1500))).toMatch(/nested too deeply/);
    expect(refusal('!'.repeat(1000) + 'true')).toMatch(/nested too deeply/);
    expect(refusal('['.repeat(500) + ']'.repeat(500))).toMatch(/nested too deeply/);
  });

  it.each(['record.__proto__', 'record.constructor', "record['__proto__']", 'record.constructor.prototype', "sum(related.items, '__proto__')"])(
    'refuses %s',
    (text) => {
      expect(refusal(text)).toMatch(/cannot be read/);
    },
  );

  it('reads only own fields of data, never through a prototype, and pollutes nothing', () => {
    const record = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    expect(evaluateExpression('record.polluted == nil', { record })).toEqual({ ok: true, value: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['this', 'globalThis.process', 'require("fs")', 'process.exit(1)', 'Function("x")', 'eval("1")', 'record.a = 1', 'import("x")'])(
    'refuses %s (no names outside the context, no calls outside the list)',
    (text) => {
      expect(compileExpression(text).ok).toBe(false);
    },
  );

  it('stops a sum over a big related list at the step limit', () => {
    const items = Array.from({ length: 300_000 }, (_, i) => ({ q: i, p: 1 }));
    const started = Date.now();
    const result = evaluateExpression("sum(related.items, 'q * p + q * p + q * p')", { related: { items } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(new RegExp(`more than ${DEFAULT_EXPRESSION_LIMITS.maxSteps} steps`));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops nested sums (a quadratic walk) at the step limit', () => {
    const rows = Array.from({ length: 600 }, () => ({ xs: Array.from({ length: 600 }, (_, i) => i) }));
    const result = evaluateExpression("sum(related.rows, 'sum(xs)')", { related: { rows } });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/steps|longer than/) });
  });

  it('stops a string that grows past its limit', () => {
    const text = "len(replace(replace(replace(replace(record.s, 'a', record.s), 'a', record.s), 'a', record.s), 'a', record.s)) > 0";
    const result = evaluateExpression(text, { record: { s: 'a'.repeat(60) } });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/longer than|steps/) });
  });

  it('stops at the time limit when one is set low', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ q: i }));
    const result = compileExpression("sum(related.items, 'q * q * q')", { limits: { maxMillis: 1, maxSteps: 1e9 } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const outcome = result.value.evaluate({ related: { items } });
    expect(outcome).toMatchObject({ ok: false, message: expect.stringMatching(/longer than 1 ms/) });
  });

  it('refuses a number that grows beyond its digits instead of allocating without end', () => {
    const text = Array.from({ length: 60 }, () => 'record.big').join(' * ');
    const result = evaluateExpression(text, { record: { big: 1e20 } });
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/too large/) });
  });
});
