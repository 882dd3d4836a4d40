/**
 * How far one expression may go. Parse-time limits refuse an expression when it is
 * saved; run-time limits stop one evaluation (a `sum` over a huge related list) with an
 * error instead of holding a service.
 */
export interface ExpressionLimits {
  /** Characters of expression text. */
  maxLength: number;
  /** Parts (literals, names, operators, calls) in the parsed expression. */
  maxNodes: number;
  /** Nesting of parentheses, operators and calls. */
  maxDepth: number;
  /** Steps of one evaluation: each number operation, field read, membership test and list item visited. */
  maxSteps: number;
  /** Wall-clock milliseconds of one evaluation, checked every few hundred steps. */
  maxMillis: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  maxLength: 4000,
  maxNodes: 500,
  maxDepth: 32,
  maxSteps: 200_000,
  maxMillis: 50,
});
