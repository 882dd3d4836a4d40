/**
 * Counts the steps and time of the one evaluation running now. JavaScript runs one
 * evaluation at a time and evaluation is synchronous, so the budget of the running one
 * can sit in this module while the engine's functions charge it.
 */
import { ExpressionLimits } from './expression-limits';

export class EvaluationLimitError extends Error {}

interface Budget {
  steps: number;
  readonly startedAt: number;
  readonly limits: ExpressionLimits;
}

let running: Budget | null = null;

/** Runs `evaluate` with a fresh budget (a nested call shares the outer budget). */
export function withBudget<T>(limits: ExpressionLimits, evaluate: () => T): T {
  if (running) return evaluate();
  running = { steps: 0, startedAt: Date.now(), limits };
  try {
    return evaluate();
  } finally {
    running = null;
  }
}

/** Spends `steps`; throws EvaluationLimitError once the evaluation is past its steps or its time. */
export function charge(steps = 1): void {
  const budget = running;
  if (!budget) return;
  const before = budget.steps;
  budget.steps += steps;
  if (budget.steps > budget.limits.maxSteps) {
    throw new EvaluationLimitError(`expression took more than ${budget.limits.maxSteps} steps`);
  }
  if (Math.floor(before / 256) !== Math.floor(budget.steps / 256) && Date.now() - budget.startedAt > budget.limits.maxMillis) {
    throw new EvaluationLimitError(`expression ran longer than ${budget.limits.maxMillis} ms`);
  }
}
