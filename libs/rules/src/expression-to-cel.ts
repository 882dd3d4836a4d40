/**
 * Writes a checked Rocket expression as CEL text for cel-js. Every operator becomes a
 * call of one of the engine's functions (cel-environment.ts), so Rocket's semantics
 * (exact mixed numbers, nil for a missing field) hold whatever CEL's own typing is;
 * CEL keeps `!`, the lazy `?:` (which `&&` and `||` are written with), list literals
 * and the per-item `map` of `sum`.
 */
import { BinaryOperator, ExpressionNode } from './expression-syntax';

/** The CEL variable that holds a root of the evaluation context (`record` → `r_record`). */
export const rootVariable = (name: string): string => `r_${name}`;
/** The CEL function that implements a named function of Rocket's syntax. */
export const functionName = (name: string): string => `f_${name}`;

const CALLS: Partial<Record<BinaryOperator, string>> = {
  '==': 'op_eq',
  '<': 'op_lt',
  '<=': 'op_le',
  '>': 'op_gt',
  '>=': 'op_ge',
  in: 'op_in',
  contains: 'op_contains',
  startsWith: 'op_starts',
  endsWith: 'op_ends',
  '+': 'op_add',
  '-': 'op_sub',
  '*': 'op_mul',
  '/': 'op_div',
  '%': 'op_mod',
  '??': 'op_coalesce',
};

export function toCel(node: ExpressionNode, itemScope = false): string {
  const cel = (child: ExpressionNode): string => toCel(child, itemScope);
  switch (node.kind) {
    case 'number':
      return `op_num(${JSON.stringify(node.text)})`;
    case 'string':
      return JSON.stringify(node.value);
    case 'bool':
      return String(node.value);
    case 'nil':
      return 'null';
    case 'name':
      return itemScope ? `op_read(item_, ${JSON.stringify(node.name)})` : rootVariable(node.name);
    case 'member':
      return `op_read(${cel(node.object)}, ${JSON.stringify(node.name)})`;
    case 'index':
      return `op_read(${cel(node.object)}, ${cel(node.index)})`;
    case 'call':
      if (node.each) return `${functionName('sum')}(op_list(${cel(node.args[0])}).map(item_, ${toCel(node.each, true)}))`;
      return `${functionName(node.name)}(${node.args.map(cel).join(', ')})`;
    case 'list':
      return `[${node.items.map(cel).join(', ')}]`;
    case 'unary':
      return node.op === '!' ? `!op_bool(${cel(node.operand)})` : `op_neg(${cel(node.operand)})`;
    case 'conditional':
      return `(op_bool(${cel(node.test)}) ? dyn(${cel(node.then)}) : dyn(${cel(node.otherwise)}))`;
    case 'binary': {
      const [left, right] = [cel(node.left), cel(node.right)];
      // Left to right with short circuit, as expr-lang: CEL's own && and || would absorb
      // an error on either side (`error && false` is false there), so they go through ?:.
      if (node.op === '&&') return `(op_bool(${left}) ? op_bool(${right}) : false)`;
      if (node.op === '||') return `(op_bool(${left}) ? true : op_bool(${right}))`;
      if (node.op === '!=') return `!op_eq(${left}, ${right})`;
      if (node.op === 'not in') return `!op_in(${left}, ${right})`;
      return `${CALLS[node.op]}(${left}, ${right})`;
    }
  }
}
