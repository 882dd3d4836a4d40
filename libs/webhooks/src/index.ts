// @takes/webhooks: webhook definitions, the payload a receiver gets, Standard Webhooks
// signing, the retry schedule and the destination address check. Pure: no I/O.
export { parseDurationMs } from './durations';
export {
  DEFAULT_SYNC_TIMEOUT_MS,
  MAX_SYNC_TIMEOUT_MS,
  SYNC_HOOKS,
  WEBHOOK_HOOKS,
  WEBHOOK_METHODS,
  parseWebhookDefinition,
  webhookAdmissionProblems,
  type ParsedWebhook,
  type WebhookDefinition,
  type WebhookHook,
  type WebhookMethod,
} from './webhook-definition';
export { headerTemplateProblems, headerVariables, resolveHeaders, type ResolvedHeaders } from './header-templates';
export {
  MAX_RETRY_AFTER_MS,
  SPEC_RETRY_SCHEDULE_MS,
  attemptVerdict,
  nextAttemptDelayMs,
  parseRetryAfterMs,
  parseSchedule,
  retryPolicy,
  type AttemptVerdict,
  type RetryPolicy,
} from './retry-schedule';
export { SECRET_BYTES, SECRET_PREFIX, hasValidSignature, newSecret, secretKey, signature, signatureHeader, standardHeaders, webhookMessageId } from './standard-signature';
export { AddressAllowList, refusedAddress } from './destination-address';
export {
  actionOfEvent,
  deliveryPayload,
  fieldChanges,
  hooksOfEvent,
  syncHookPayload,
  type SyncHookPayload,
  type WebhookPayload,
} from './delivery-payload';
export { webhookMatches, type MatchContext, type MatchResult } from './webhook-matching';
export { actionWebhookPayload, actionWebhookProblems, resolveActionUrl, type ActionWebhookPayload } from './action-webhook';
