/**
 * The one cel-js Environment the engine evaluates with: the roots of the evaluation
 * context as variables, the engine's operations as functions, and cel-js' own parse
 * limits as a second fence behind the engine's (the engine's are the ones users meet).
 */
import { Environment } from '@marcbachmann/cel-js';
import { ExactNumber } from './exact-number';
import { functionName, rootVariable } from './expression-to-cel';
import * as op from './expression-operations';

/** Every root an expression may read, for rules (record...) and for workflows (context, trigger). */
export const EXPRESSION_ROOTS = ['record', 'old', 'action', 'user', 'related', 'now', 'context', 'trigger'] as const;
export type ExpressionRoot = (typeof EXPRESSION_ROOTS)[number];

const literals = new Map<string, ExactNumber>();

/** A number literal's value, read once per text. */
function literal(text: string): ExactNumber {
  const known = literals.get(text);
  if (known) return known;
  const value = ExactNumber.fromText(text);
  if (!value) throw new op.ExpressionRuntimeError(`bad number ${text}`);
  if (literals.size < 10_000) literals.set(text, value);
  return value;
}

function buildEnvironment(): Environment {
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 20_000, maxDepth: 1_000, maxListElements: 1_000, maxMapEntries: 0, maxCallArguments: 4 },
  }).registerType('ExactNumber', ExactNumber);
  for (const root of EXPRESSION_ROOTS) env.registerVariable(rootVariable(root), 'dyn');
  const binary: Record<string, (a: unknown, b: unknown) => unknown> = {
    op_eq: op.equals,
    op_lt: (a, b) => op.compare(a, b, '<') < 0,
    op_le: (a, b) => op.compare(a, b, '<=') <= 0,
    op_gt: (a, b) => op.compare(a, b, '>') > 0,
    op_ge: (a, b) => op.compare(a, b, '>=') >= 0,
    op_in: op.isIn,
    op_contains: op.contains,
    op_starts: op.startsWith,
    op_ends: op.endsWith,
    op_add: op.add,
    op_sub: op.subtract,
    op_mul: op.multiply,
    op_div: op.divide,
    op_mod: op.modulo,
    op_coalesce: op.coalesce,
    op_read: op.read,
  };
  const returns: Record<string, string> = { op_eq: 'bool', op_lt: 'bool', op_le: 'bool', op_gt: 'bool', op_ge: 'bool', op_in: 'bool', op_contains: 'bool', op_starts: 'bool', op_ends: 'bool' };
  for (const [name, handler] of Object.entries(binary)) env.registerFunction(`${name}(dyn, dyn): ${returns[name] ?? 'dyn'}`, handler);
  env.registerFunction('op_num(string): dyn', literal);
  env.registerFunction('op_neg(dyn): dyn', op.negate);
  env.registerFunction('op_bool(dyn): bool', op.truth);
  env.registerFunction('op_list(dyn): list', op.listOf);
  for (const [name, handler] of Object.entries(op.FUNCTIONS)) {
    const arity = handler.length;
    const params = Array.from({ length: arity }, () => 'dyn').join(', ');
    env.registerFunction(`${functionName(name)}(${params}): dyn`, handler);
  }
  return env;
}

let environment: Environment | null = null;

/** The shared Environment, built on first use (building one is the expensive part of cel-js). */
export function celEnvironment(): Environment {
  environment ??= buildEnvironment();
  return environment;
}
