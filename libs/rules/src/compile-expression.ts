/**
 * Compiling and running Rocket expressions: parse and check once per expression text
 * (cached), refuse a bad one with where it is wrong, evaluate within the limits.
 */
import { celEnvironment, EXPRESSION_ROOTS, ExpressionRoot } from './cel-environment';
import { EvaluationLimitError, withBudget } from './evaluation-budget';
import { DEFAULT_EXPRESSION_LIMITS, ExpressionLimits } from './expression-limits';
import { ExpressionRuntimeError } from './expression-operations';
import { ExpressionSyntaxError, parseExpression } from './expression-syntax';
import { rootVariable, toCel } from './expression-to-cel';
import { ExpressionValue, fromExpressionValue, scalarValue } from './expression-values';

/** One problem, in the shape of a 422's details. */
export interface RuleDetail {
  field?: string;
  rule: string;
  message: string;
  /** Where an expression is wrong, 1-based. */
  line?: number;
  column?: number;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; details: RuleDetail[] };
export type Evaluated = { ok: true; value: unknown } | { ok: false; message: string };

/** What an expression may read, raw JSON as a record holds it. */
export type ExpressionContext = Partial<Record<ExpressionRoot, unknown>>;

/**
 * An evaluation context made ready once for several expressions over the same record.
 * Nothing is copied: records and related lists are read lazily, field by field.
 */
export class BoundContext {
  private constructor(readonly variables: Readonly<Record<string, ExpressionValue>>) {}

  static of(context: ExpressionContext): BoundContext {
    const variables: Record<string, ExpressionValue> = {};
    for (const root of EXPRESSION_ROOTS) variables[rootVariable(root)] = scalarValue(context[root]);
    return new BoundContext(variables);
  }
}

/** Which roots an expression reads: a rule's record view, or a workflow's context and trigger. */
export type ExpressionScope = 'record' | 'workflow';
const SCOPE_ROOTS: Record<ExpressionScope, ReadonlySet<string>> = {
  record: new Set(['record', 'old', 'action', 'user', 'related', 'now']),
  workflow: new Set(['context', 'trigger', 'user', 'now']),
};

export interface CompileOptions {
  scope?: ExpressionScope;
  limits?: Partial<ExpressionLimits>;
}

/** A compiled expression: its text, and a function of a context that never throws. */
export interface CompiledExpression {
  readonly text: string;
  evaluate(context: ExpressionContext | BoundContext): Evaluated;
}

type Program = (variables: Record<string, unknown>) => unknown;

const CACHE_SIZE = 2_000;
const cache = new Map<string, Checked<CompiledExpression>>();

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function refused(text: string, message: string, offset: number): Checked<CompiledExpression> {
  const { line, column } = position(text, offset);
  return { ok: false, details: [{ rule: 'expression', message: `${message} (line ${line}, column ${column})`, line, column }] };
}

function runtimeMessage(error: unknown): string {
  if (error instanceof EvaluationLimitError || error instanceof ExpressionRuntimeError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

function compiled(text: string, program: Program, limits: ExpressionLimits): CompiledExpression {
  return {
    text,
    evaluate(context) {
      try {
        const bound = context instanceof BoundContext ? context : BoundContext.of(context);
        const value = withBudget(limits, () => program({ ...bound.variables }));
        return { ok: true, value: fromExpressionValue(value) };
      } catch (error) {
        return { ok: false, message: runtimeMessage(error) };
      }
    },
  };
}

function compileUncached(text: string, scope: ExpressionScope, limits: ExpressionLimits): Checked<CompiledExpression> {
  if (typeof text !== 'string' || text.trim() === '') return refused(String(text ?? ''), 'expression is empty', 0);
  let cel: string;
  try {
    cel = toCel(parseExpression(text, { roots: SCOPE_ROOTS[scope], itemFields: false }, limits));
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return refused(text, error.message, error.at);
    throw error;
  }
  try {
    return { ok: true, value: compiled(text, celEnvironment().parse(cel) as Program, limits) };
  } catch (error) {
    return refused(text, `expression cannot be compiled: ${runtimeMessage(error)}`, 0);
  }
}

/**
 * Compiles Rocket expression text. The same text (with the same options) is compiled
 * once and the result reused; a refusal names the line and column of the fault.
 */
export function compileExpression(text: string, options: CompileOptions = {}): Checked<CompiledExpression> {
  const scope = options.scope ?? 'record';
  const limits = { ...DEFAULT_EXPRESSION_LIMITS, ...options.limits };
  const key = `${scope}\u0000${JSON.stringify(options.limits ?? null)}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = compileUncached(text, scope, limits);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

/** Compiles (cached) and evaluates in one call; a compile refusal comes back as a failed evaluation. */
export function evaluateExpression(text: string, context: ExpressionContext | BoundContext, options?: CompileOptions): Evaluated {
  const result = compileExpression(text, options);
  if (!result.ok) return { ok: false, message: result.details[0].message };
  return result.value.evaluate(context);
}
