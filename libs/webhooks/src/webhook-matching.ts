import { compileExpression } from '@takes/rules';
import type { WebhookDefinition, WebhookHook } from './webhook-definition';

type JsonRecord = Record<string, unknown>;

export interface MatchContext {
  record: JsonRecord | null;
  old: JsonRecord | null;
  action: string;
  user: unknown;
}

export type MatchResult = { match: true } | { match: false; error?: string };

/**
 * Whether a webhook is called for an event's hook on its entity: active, same entity and
 * hook, and its condition (when it has one) true for the record. A condition that fails
 * to evaluate is not a match, with why (for the log).
 */
export function webhookMatches(webhook: WebhookDefinition, entity: string, hook: WebhookHook, context: MatchContext): MatchResult {
  if (!webhook.active || webhook.entity !== entity || webhook.hook !== hook) return { match: false };
  if (webhook.condition.trim() === '') return { match: true };
  const compiled = compileExpression(webhook.condition);
  if (!compiled.ok) return { match: false, error: compiled.details[0].message };
  const result = compiled.value.evaluate({ record: context.record, old: context.old, action: context.action, user: context.user, now: new Date().toISOString() });
  if (!result.ok) return { match: false, error: result.message };
  return result.value === true ? { match: true } : { match: false };
}
