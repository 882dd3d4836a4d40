import type { SyncHookRequest, SyncHookVerdict } from '@takes/contracts';
import { resolveHeaders, standardHeaders, webhookMessageId } from '@takes/webhooks';
import type { WebhooksConfig } from '../config';
import { signingSecrets } from '../delivery/delivery-attempt';
import { sendOutgoing } from '../delivery/outgoing-request';

/** The message a refusing hook gave: `{message}`, `{error: {message}}`, `{error}`, or the start of its text. */
export function refusalMessage(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const json = JSON.parse(text) as { message?: unknown; error?: unknown };
    const error = json.error as { message?: unknown } | string | undefined;
    const message = json.message ?? (typeof error === 'string' ? error : error?.message);
    if (typeof message === 'string' && message !== '') return message.slice(0, 500);
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 500);
}

/** Calls a sync hook once, signed like a delivery; the write goes ahead only on a 2xx in time. */
export async function callSyncHook(request: SyncHookRequest, secrets: { secret: string; previous: string | null; previous_until: Date | null } | null, config: WebhooksConfig): Promise<SyncHookVerdict> {
  const now = new Date();
  const signing = signingSecrets(secrets?.secret ?? null, secrets?.previous ?? null, secrets?.previous_until ?? null, now);
  if (signing.length === 0) return { allowed: false, status: null, message: `webhook ${request.webhook_id} has no secret` };
  const headers = resolveHeaders(request.headers, config.headerEnv, process.env);
  if (!headers.ok) return { allowed: false, status: null, message: headers.message };
  const body = JSON.stringify(request.payload);
  const id = webhookMessageId(request.command_id, request.webhook_id);
  const result = await sendOutgoing({
    url: request.url,
    method: request.method,
    headers: { ...headers.headers, 'content-type': 'application/json', 'user-agent': 'Takes-Webhooks/1', ...standardHeaders(signing, id, Math.floor(now.getTime() / 1000), body) },
    body,
    timeoutMs: request.timeout_ms,
    maxResponseBytes: config.maxResponseBytes,
    allow: config.allowAddresses,
  });
  if (result.kind === 'answered' && result.status >= 200 && result.status < 300) return { allowed: true };
  if (result.kind === 'answered') return { allowed: false, status: result.status, message: refusalMessage(result.body) || `the hook answered ${result.status}` };
  return { allowed: false, status: null, message: result.error };
}
