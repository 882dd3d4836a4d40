import type { CallOptions } from './event-store.port';
import { APP_NAME } from './subjects';

/**
 * The webhooks service's request/reply messages (`<prefix>webhooks.<what>`), asked by the
 * gateway's admin routes: issuing and rotating an endpoint's secret (secrets never travel
 * in `_meta` events), the delivery log, a manual retry, a replay, and a sync hook call
 * (before_write / before_delete). Replies are `{data}` or `{error}`.
 */
export type WebhooksRequest = 'secret_issue' | 'secret_rotate' | 'logs_list' | 'logs_get' | 'logs_retry' | 'replay' | 'call';

/** `<prefix>webhooks.<what>`; the service subscribes without the prefix (its RPC server adds it). */
export function webhooksSubject(what: WebhooksRequest, prefix = ''): string {
  return `${prefix}webhooks.${what}`;
}

export interface WebhookRef {
  v?: 1;
  app: string;
  webhook_id: string;
}

/** `webhooks.secret_rotate`: a new secret; the previous one keeps signing for grace_seconds (default a day). */
export interface RotateSecretRequest extends WebhookRef {
  grace_seconds?: number;
}

export interface SecretReply {
  secret: string;
  /** When the previous secret stops signing (rotation only). */
  previous_valid_until?: string | null;
}

/** `webhooks.logs_list`: deliveries, newest first, filtered. */
export interface WebhookLogsRequest {
  v?: 1;
  app: string;
  webhook_id?: string;
  status?: string;
  entity?: string;
  record_id?: string;
  since?: string;
  until?: string;
  page?: number;
  per_page?: number;
}

export interface WebhookLogRef {
  v?: 1;
  app: string;
  id: string;
}

/** `webhooks.replay`: every event of the endpoint's entity since a position or a time, delivered again (same webhook-ids). */
export interface ReplayRequest extends WebhookRef {
  since_position?: number;
  since_time?: string;
}

/**
 * `webhooks.call`: a sync hook (before_write, before_delete) called with the record as it
 * would be written. The gateway sends the definition it holds (the webhooks service's
 * copy may lag), the service signs with the endpoint's secret and sends it safely.
 */
export interface SyncHookRequest extends WebhookRef {
  /** The command the hook may refuse: its webhook-id is made from it and the webhook. */
  command_id: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  timeout_ms: number;
  payload: Record<string, unknown>;
}

/** A sync hook's answer: 2xx allows the write; anything else, a timeout or a refused address refuses it, with why. */
export type SyncHookVerdict = { allowed: true } | { allowed: false; message: string; status: number | null };

/** One delivery as `/_admin/webhook-logs` shows it (Rocket's log row plus each attempt). */
export interface WebhookLogView {
  id: string;
  webhook_id: string;
  [field: string]: unknown;
}

export interface WebhookLogPage {
  data: WebhookLogView[];
  meta: { page: number; per_page: number; total: number; total_pages: number };
}

/** The webhooks service, as the gateway sees it. Errors come back as TakesError. */
export interface Webhooks {
  issueSecret(request: WebhookRef, options?: CallOptions): Promise<SecretReply>;
  rotateSecret(request: RotateSecretRequest, options?: CallOptions): Promise<SecretReply>;
  logs(request: WebhookLogsRequest, options?: CallOptions): Promise<WebhookLogPage>;
  log(request: WebhookLogRef, options?: CallOptions): Promise<WebhookLogView>;
  retry(request: WebhookLogRef, options?: CallOptions): Promise<WebhookLogView>;
  replay(request: ReplayRequest, options?: CallOptions): Promise<{ queued: number }>;
  call(request: SyncHookRequest, options?: CallOptions): Promise<SyncHookVerdict>;
}

export const WEBHOOKS = Symbol('WEBHOOKS');

const version = { v: { const: 1 } } as const;
const ref = { ...version, app: { type: 'string', pattern: APP_NAME.source }, webhook_id: { type: 'string', minLength: 1, maxLength: 100 } } as const;
const logRef = { ...version, app: { type: 'string', pattern: APP_NAME.source }, id: { type: 'string', minLength: 1, maxLength: 100 } } as const;
const isoTime = { type: 'string', minLength: 1, maxLength: 40 } as const;

export const webhooksRequestSchemas: Record<WebhooksRequest, object> = {
  secret_issue: { $id: 'takes.webhooks.secret_issue.v1', type: 'object', required: ['app', 'webhook_id'], properties: ref, additionalProperties: false },
  secret_rotate: {
    $id: 'takes.webhooks.secret_rotate.v1',
    type: 'object',
    required: ['app', 'webhook_id'],
    properties: { ...ref, grace_seconds: { type: 'integer', minimum: 0, maximum: 2_592_000 } },
    additionalProperties: false,
  },
  logs_list: {
    $id: 'takes.webhooks.logs_list.v1',
    type: 'object',
    required: ['app'],
    properties: {
      ...version,
      app: { type: 'string', pattern: APP_NAME.source },
      webhook_id: { type: 'string', maxLength: 100 },
      status: { type: 'string', maxLength: 20 },
      entity: { type: 'string', maxLength: 100 },
      record_id: { type: 'string', maxLength: 200 },
      since: isoTime,
      until: isoTime,
      page: { type: 'integer', minimum: 1 },
      per_page: { type: 'integer', minimum: 1, maximum: 100 },
    },
    additionalProperties: false,
  },
  logs_get: { $id: 'takes.webhooks.logs_get.v1', type: 'object', required: ['app', 'id'], properties: logRef, additionalProperties: false },
  logs_retry: { $id: 'takes.webhooks.logs_retry.v1', type: 'object', required: ['app', 'id'], properties: logRef, additionalProperties: false },
  replay: {
    $id: 'takes.webhooks.replay.v1',
    type: 'object',
    required: ['app', 'webhook_id'],
    properties: { ...ref, since_position: { type: 'integer', minimum: 0 }, since_time: isoTime },
    additionalProperties: false,
  },
  call: {
    $id: 'takes.webhooks.call.v1',
    type: 'object',
    required: ['app', 'webhook_id', 'command_id', 'url', 'method', 'headers', 'timeout_ms', 'payload'],
    properties: {
      ...ref,
      command_id: { type: 'string', minLength: 1, maxLength: 200 },
      url: { type: 'string', minLength: 1, maxLength: 2_048 },
      method: { enum: ['POST', 'PUT', 'PATCH'] },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      timeout_ms: { type: 'integer', minimum: 1, maximum: 60_000 },
      payload: { type: 'object' },
    },
    additionalProperties: false,
  },
};
