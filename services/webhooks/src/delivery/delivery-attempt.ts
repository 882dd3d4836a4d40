import { attemptVerdict, resolveActionUrl, nextAttemptDelayMs, parseRetryAfterMs, resolveHeaders, retryPolicy, standardHeaders, type WebhookDefinition } from '@takes/webhooks';
import type { WebhooksConfig } from '../config';
import type { ClaimedDelivery } from './delivery.table';
import { sendOutgoing, type OutgoingResult, type Resolve } from './outgoing-request';

/** The secrets that sign now: the current one, and the previous one during its grace period. */
export function signingSecrets(secret: string | null, previous: string | null, previousUntil: Date | null, now: Date): string[] {
  if (!secret) return [];
  return previous && previousUntil && previousUntil > now ? [secret, previous] : [secret];
}

export interface AttemptOutcome {
  status: 'delivered' | 'failed' | 'retrying';
  retryInMs?: number;
  responseStatus: number | null;
  error: string | null;
  excerpt: string | null;
  durationMs: number;
  webhookTimestamp: number;
  /** 410 Gone: the endpoint is to be disabled. */
  gone: boolean;
  /** No request was sent (an address refused, a header variable not allowed, no secret): says nothing of the endpoint's health. */
  refused: boolean;
  startedAt: Date;
}

/**
 * One attempt of one delivery: headers (the definition's, `{{env.NAME}}` filled from the
 * allowed variables, then the three Standard Webhooks headers signed now), the request,
 * and what its answer means for the delivery.
 */
export async function attemptDelivery(delivery: ClaimedDelivery, config: WebhooksConfig, resolve?: Resolve): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const webhookTimestamp = Math.floor(startedAt.getTime() / 1000);
  const base = { startedAt, webhookTimestamp, gone: false, refused: true, excerpt: null, responseStatus: null, durationMs: 0 };
  const target = deliveryTarget(delivery, config);
  if (!target.ok) return { ...base, status: 'failed', error: target.error };
  const definition = target.definition;
  const secrets = signingSecrets(delivery.secret, delivery.previous, delivery.previous_until, startedAt);
  if (secrets.length === 0) return { ...base, status: 'retrying', retryInMs: 1_000, error: 'the endpoint has no secret yet' };
  const headers = resolveHeaders(definition.headers ?? {}, config.headerEnv, process.env);
  if (!headers.ok) return { ...base, status: 'failed', error: headers.message };
  const result: OutgoingResult = await sendOutgoing({
    url: definition.url,
    method: definition.method ?? 'POST',
    headers: { ...headers.headers, 'content-type': 'application/json', 'user-agent': 'Takes-Webhooks/1', ...standardHeaders(secrets, delivery.message_id, webhookTimestamp, delivery.body) },
    body: delivery.body,
    timeoutMs: definition.timeout ?? config.timeoutMs,
    maxResponseBytes: config.maxResponseBytes,
    allow: config.allowAddresses,
    resolve,
  });
  if (result.kind === 'refused') return { ...base, status: 'failed', error: result.error };
  const status = result.kind === 'answered' ? result.status : null;
  const excerpt = result.kind === 'answered' ? result.body.subarray(0, config.responseExcerptBytes).toString('utf8') : null;
  const error = result.kind === 'failed' ? result.error : null;
  const verdict = attemptVerdict(status);
  const common = { ...base, refused: false, responseStatus: status, excerpt, durationMs: result.durationMs };
  if (verdict === 'delivered') return { ...common, status: 'delivered', error: null };
  if (verdict === 'gone') return { ...common, status: 'failed', gone: true, error: 'the endpoint answered 410 Gone' };
  if (verdict === 'failed') return { ...common, status: 'failed', error: error ?? `the endpoint answered ${status}` };
  const retryAfter = result.kind === 'answered' ? parseRetryAfterMs(headerValue(result.headers['retry-after']), Date.now()) : null;
  const policy = retryPolicy(config.retryScheduleMs, definition.retry ?? {}, config.jitter);
  const delay = nextAttemptDelayMs(policy, delivery.attempts + 1, retryAfter, Math.random());
  if (delay === null) return { ...common, status: 'failed', error: `${error ?? `the endpoint answered ${status}`}; no attempts left` };
  return { ...common, status: 'retrying', retryInMs: delay, error: error ?? `the endpoint answered ${status}` };
}

/**
 * What a delivery calls: a webhook definition's delivery its endpoint's definition; a
 * webhook action's call its own url (a path resolved against TAKES_WEBHOOKS_BASE_URL)
 * and method, with the service's defaults for the rest (an action has no headers,
 * timeout or retry policy of its own).
 */
function deliveryTarget(delivery: ClaimedDelivery, config: WebhooksConfig): { ok: true; definition: WebhookDefinition } | { ok: false; error: string } {
  if (delivery.url === null) return { ok: true, definition: delivery.definition as unknown as WebhookDefinition };
  const resolved = resolveActionUrl(delivery.url, config.baseUrl);
  if (!resolved.ok) return resolved;
  return { ok: true, definition: { url: resolved.url, method: (delivery.method ?? 'POST') as WebhookDefinition['method'] } as WebhookDefinition };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
