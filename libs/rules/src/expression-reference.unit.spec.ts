/**
 * Property: the engine (Rocket syntax → CEL on cel-js, exact numbers) agrees with a
 * small reference evaluator written here, on random expressions over random records.
 * The generator keeps to integers, strings, booleans and nil so the reference can use
 * plain BigInt arithmetic.
 */
import fc from 'fast-check';
import { evaluateExpression } from './compile-expression';

type Value = bigint | string | boolean | null;
type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'field'; name: string }
  | { k: 'arith'; op: '+' | '-' | '*'; a: Expr; b: Expr }
  | { k: 'cmp'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; a: Expr; b: Expr }
  | { k: 'logic'; op: '&&' | '||'; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'in'; a: Expr }
  | { k: 'cond'; t: Expr; a: Expr; b: Expr };

const FIELDS = ['n1', 'n2', 's1', 'b1', 'z'];
const TAGS = ['red', 'blue'];

class Bad extends Error {}

function reference(e: Expr, record: Record<string, Value>): Value {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'field':
      return record[e.name] ?? null;
    case 'arith': {
      const [a, b] = [reference(e.a, record), reference(e.b, record)];
      if (e.op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
      if (typeof a !== 'bigint' || typeof b !== 'bigint') throw new Bad();
      return e.op === '+' ? a + b : e.op === '-' ? a - b : a * b;
    }
    case 'cmp': {
      const [a, b] = [reference(e.a, record), reference(e.b, record)];
      if (e.op === '==') return a === b;
      if (e.op === '!=') return a !== b;
      const comparable = (typeof a === 'bigint' && typeof b === 'bigint') || (typeof a === 'string' && typeof b === 'string');
      if (!comparable) throw new Bad();
      const [x, y] = [a as bigint | string, b as bigint | string];
      return e.op === '<' ? x < y : e.op === '<=' ? x <= y : e.op === '>' ? x > y : x >= y;
    }
    case 'logic': {
      // Left to right with short circuit, as expr-lang.
      const a = reference(e.a, record);
      if (typeof a !== 'boolean') throw new Bad();
      if (e.op === '&&' ? !a : a) return a;
      const b = reference(e.b, record);
      if (typeof b !== 'boolean') throw new Bad();
      return b;
    }
    case 'not': {
      const a = reference(e.a, record);
      if (typeof a !== 'boolean') throw new Bad();
      return !a;
    }
    case 'in':
      return TAGS.includes(reference(e.a, record) as string);
    case 'cond': {
      const t = reference(e.t, record);
      if (typeof t !== 'boolean') throw new Bad();
      return t ? reference(e.a, record) : reference(e.b, record);
    }
  }
}

function render(e: Expr): string {
  switch (e.k) {
    case 'lit':
      return e.v === null ? 'nil' : typeof e.v === 'string' ? `'${e.v}'` : typeof e.v === 'bigint' ? (e.v < 0n ? `(${e.v})` : `${e.v}`) : String(e.v);
    case 'field':
      return `record.${e.name}`;
    case 'arith':
    case 'cmp':
    case 'logic':
      return `(${render(e.a)} ${e.op} ${render(e.b)})`;
    case 'not':
      return `!(${render(e.a)})`;
    case 'in':
      return `(${render(e.a)} in ['${TAGS.join("', '")}'])`;
    case 'cond':
      return `(${render(e.t)} ? ${render(e.a)} : ${render(e.b)})`;
  }
}

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.bigInt({ min: -50n, max: 50n }),
  fc.constantFrom('red', 'blue', 'x', ''),
  fc.boolean(),
  fc.constant(null),
);

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    value.map((v): Expr => ({ k: 'lit', v })),
    fc.constantFrom(...FIELDS).map((name): Expr => ({ k: 'field', name })),
    fc.record({ k: fc.constant('arith' as const), op: fc.constantFrom('+' as const, '-' as const, '*' as const), a: tie('expr'), b: tie('expr') }),
    fc.record({ k: fc.constant('cmp' as const), op: fc.constantFrom('==' as const, '!=' as const, '<' as const, '<=' as const, '>' as const, '>=' as const), a: tie('expr'), b: tie('expr') }),
    fc.record({ k: fc.constant('logic' as const), op: fc.constantFrom('&&' as const, '||' as const), a: tie('expr'), b: tie('expr') }),
    fc.record({ k: fc.constant('not' as const), a: tie('expr') }),
    fc.record({ k: fc.constant('in' as const), a: tie('expr') }),
    fc.record({ k: fc.constant('cond' as const), t: tie('expr'), a: tie('expr'), b: tie('expr') }),
  ),
}));

const record = fc.record({
  n1: fc.bigInt({ min: -1000n, max: 1000n }),
  n2: fc.bigInt({ min: -1000n, max: 1000n }),
  s1: fc.constantFrom('red', 'blue', 'green'),
  b1: fc.boolean(),
  z: fc.constant(null),
});

function toJson(v: Value): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

describe('engine against a reference evaluator', () => {
  it('gives the same result, or fails where the reference finds a type error', () => {
    let agreed = 0;
    fc.assert(
      fc.property(expr, record, (e, r) => {
        let expected: Value;
        try {
          expected = reference(e, r);
        } catch (error) {
          if (error instanceof Bad) {
            expect(evaluateExpression(render(e), { record: Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJson(v)])) }).ok).toBe(false);
            return;
          }
          throw error;
        }
        const json = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJson(v)]));
        expect(evaluateExpression(render(e), { record: json })).toEqual({ ok: true, value: toJson(expected) });
        agreed += 1;
      }),
      { numRuns: 400 },
    );
    expect(agreed).toBeGreaterThan(100);
  });
});
