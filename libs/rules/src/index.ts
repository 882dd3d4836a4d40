export { ExactNumber } from './exact-number';
export { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './expression-limits';
export { EXPRESSION_FUNCTIONS } from './expression-syntax';
export { EXPRESSION_ROOTS, type ExpressionRoot } from './cel-environment';
export {
  BoundContext,
  compileExpression,
  evaluateExpression,
  type Checked,
  type CompileOptions,
  type CompiledExpression,
  type Evaluated,
  type ExpressionContext,
  type ExpressionScope,
  type RuleDetail,
} from './compile-expression';
