import type { ErrorDetail, TakesEvent, WebhookRequest } from '@takes/contracts';
import { fieldChanges } from './delivery-payload';
import { WEBHOOK_METHODS } from './webhook-definition';

type JsonRecord = Record<string, unknown>;

const MAX_URL_LENGTH = 2048;

/**
 * Why a state machine's or workflow's webhook action cannot be saved: its url must be an
 * absolute http(s) URL with no credentials, or a path (`/hooks/invoice-paid`, as Rocket's
 * examples write it) that the webhooks service resolves against TAKES_WEBHOOKS_BASE_URL;
 * its method one a webhook may use.
 */
export function actionWebhookProblems(url: unknown, method: unknown, at: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) {
    problems.push({ field: `${at}.url`, rule: 'type', message: `url must be an http(s) URL or a path starting with /, of at most ${MAX_URL_LENGTH} characters` });
  } else if (!url.startsWith('/') || url.startsWith('//')) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) problems.push({ field: `${at}.url`, rule: 'pattern', message: 'url must be an http(s) URL or a path starting with /' });
    else if (parsed.username !== '' || parsed.password !== '') problems.push({ field: `${at}.url`, rule: 'pattern', message: 'url may not carry a user or password' });
  }
  const upper = typeof method === 'string' ? method.toUpperCase() : method;
  if (upper !== undefined && !(WEBHOOK_METHODS as readonly unknown[]).includes(upper)) problems.push({ field: `${at}.method`, rule: 'enum', message: `method must be one of ${WEBHOOK_METHODS.join(', ')}` });
  return problems;
}

/**
 * Where an action's call goes: an absolute URL as it is; a path on the origin of `base`
 * (the deployment's TAKES_WEBHOOKS_BASE_URL). Not ok, saying why, when a path has no base.
 */
export function resolveActionUrl(url: string, base: string | undefined): { ok: true; url: string } | { ok: false; error: string } {
  if (!url.startsWith('/') || url.startsWith('//')) return { ok: true, url };
  if (!base) return { ok: false, error: `the action's url ${url} is a path, and TAKES_WEBHOOKS_BASE_URL is not set to resolve it against` };
  return { ok: true, url: new URL(url, base).toString() };
}

/** What the receiver of an action's call gets: Rocket's webhook fields, what asked for it, and the event. */
export interface ActionWebhookPayload {
  /** `state_machine.transition` or `workflow.action`. */
  event: 'state_machine.transition' | 'workflow.action';
  entity: string;
  action: 'update';
  record: JsonRecord | null;
  old: JsonRecord | null;
  changes: Record<string, { old: unknown; new: unknown }>;
  user: { id: string; roles: string[] } | null;
  timestamp: string;
  idempotency_key: string;
  /** A state machine's call: its id, field, and the transition made. */
  state_machine?: { id: string; field: string; from: string | null; to: string };
  /** A workflow's call: its id, instance and step. */
  workflow?: { id: string; instance: string; step: string };
  takes_event: TakesEvent;
}

/** The id after `state_machine:` or `workflow:` in a request's source. */
function sourceId(source: string): string {
  return source.slice(source.indexOf(':') + 1);
}

/**
 * The body of an action's call from its `webhook_requested` event: the record as it
 * stands after the write (`record`), before the transition (`old`; for a workflow's call,
 * the same record, as a workflow changes nothing by calling).
 */
export function actionWebhookPayload(event: TakesEvent & { webhook: WebhookRequest }, old: JsonRecord | null, record: JsonRecord | null): ActionWebhookPayload {
  const request = event.webhook;
  const fromMachine = request.source.startsWith('state_machine:');
  return {
    event: fromMachine ? 'state_machine.transition' : 'workflow.action',
    entity: event.entity,
    action: 'update',
    record,
    old,
    changes: fieldChanges(old, record),
    user: event.user ? { id: event.user.id, roles: event.user.roles } : null,
    timestamp: event.commit_ts,
    idempotency_key: event.command_id,
    ...(request.transition ? { state_machine: { id: sourceId(request.source), field: request.transition.field, from: request.transition.from, to: request.transition.to } } : {}),
    ...(request.workflow ? { workflow: { id: sourceId(request.source), instance: request.workflow.instance, step: request.workflow.step } } : {}),
    takes_event: event,
  };
}
