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
export { FIELD_OPERATORS, checkFieldRule, type FieldOperator } from './field-rules';
export {
  RULE_HOOKS,
  RULE_TYPES,
  parseRuleDefinition,
  type ComputedRule,
  type ExpressionRule,
  type FieldRule,
  type RelatedLoad,
  type Rule,
  type RuleHook,
  type RuleType,
} from './rule-definition';
export { checkRules, type JsonRecord, type RuleContext } from './check-rules';
export { RELATED_FILTER_OPS, filterKey, meetsCondition, meetsFilter, type RelatedFilterOp } from './related-filter';
