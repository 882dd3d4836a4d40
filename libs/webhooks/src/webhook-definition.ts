import type { ErrorDetail } from '@takes/contracts';
import { compileExpression } from '@takes/rules';
import { parseDurationMs } from './durations';
import { headerTemplateProblems } from './header-templates';
import { parseSchedule } from './retry-schedule';

/** When a webhook is called: Rocket's four hooks and Takes' own event types. */
export const WEBHOOK_HOOKS = ['after_write', 'after_delete', 'before_write', 'before_delete', 'merged', 'shelved', 'resolved', 'lost_update'] as const;
export type WebhookHook = (typeof WEBHOOK_HOOKS)[number];
/** The hooks called before a write, whose answer can refuse it. */
export const SYNC_HOOKS: ReadonlySet<WebhookHook> = new Set<WebhookHook>(['before_write', 'before_delete']);
export const WEBHOOK_METHODS = ['POST', 'PUT', 'PATCH'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

export const MAX_URL_LENGTH = 2_048;
export const MAX_HEADERS = 20;
/** A sync hook answers within this unless its definition says less (it holds a client's write). */
export const DEFAULT_SYNC_TIMEOUT_MS = 2_000;
export const MAX_SYNC_TIMEOUT_MS = 10_000;
/** Headers a definition may not set: the signature's, and those the transport owns. */
const RESERVED_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'host', 'content-length', 'content-type', 'transfer-encoding', 'connection']);
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
// created_at and updated_at: Rocket's admin UI may send a row back as it got it.
const KEYS = new Set(['id', 'name', 'entity', 'hook', 'url', 'method', 'headers', 'condition', 'async', 'retry', 'active', 'timeout', 'created_at', 'updated_at']);

/**
 * A webhook as its `_meta` record `webhook:<id>` stores it: Rocket's `/_admin/webhooks`
 * shape normalized, plus `name` (= id) for the registry. Its secret is not here: `_meta`
 * events go to every service, so the secret stays in the webhooks service's own schema.
 */
export interface WebhookDefinition {
  readonly name: string;
  readonly id: string;
  readonly entity: string;
  readonly hook: WebhookHook;
  readonly url: string;
  readonly method: WebhookMethod;
  /** Header values may hold `{{env.NAME}}`, filled at delivery from the variables the deployment allows. */
  readonly headers: Readonly<Record<string, string>>;
  /** A Rocket expression over record, old, action, user; empty: always. */
  readonly condition: string;
  /** Rocket's flag; after_* and Takes' hooks are always delivered after the commit, before_* are always called before it. */
  readonly async: boolean;
  readonly retry: {
    readonly max_attempts?: number;
    readonly backoff?: string;
    /** Takes: the delay before each attempt (ms), the first usually 0; default the deployment's schedule. */
    readonly schedule?: readonly number[];
  };
  readonly active: boolean;
  /** How long one request may take (ms); sync hooks default to DEFAULT_SYNC_TIMEOUT_MS. */
  readonly timeout?: number;
}

export type ParsedWebhook = { ok: true; value: WebhookDefinition } | { ok: false; details: ErrorDetail[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function urlProblems(url: unknown): ErrorDetail[] {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return [{ field: 'url', rule: 'type', message: `url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters` }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ field: 'url', rule: 'pattern', message: 'url is not a URL' }];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [{ field: 'url', rule: 'pattern', message: 'url must be http or https' }];
  if (parsed.username !== '' || parsed.password !== '') return [{ field: 'url', rule: 'pattern', message: 'url may not carry a user or password (put credentials in headers)' }];
  return [];
}

function headerProblems(headers: unknown): ErrorDetail[] {
  if (headers === undefined) return [];
  if (!isObject(headers)) return [{ field: 'headers', rule: 'type', message: 'headers must be an object of strings' }];
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) return [{ field: 'headers', rule: 'max', message: `at most ${MAX_HEADERS} headers` }];
  const problems: ErrorDetail[] = [];
  for (const [name, value] of entries) {
    const at = `headers.${name}`;
    if (!HEADER_NAME.test(name)) problems.push({ field: at, rule: 'pattern', message: `${name} is not a header name` });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) problems.push({ field: at, rule: 'reserved', message: `${name} is set by the webhooks service` });
    if (typeof value !== 'string' || value.length > 4_000 || /[\r\n\0]/.test(value)) problems.push({ field: at, rule: 'type', message: 'a header value is a string of at most 4000 characters on one line' });
    else for (const message of headerTemplateProblems(value)) problems.push({ field: at, rule: 'template', message });
  }
  return problems;
}

function retryOf(retry: unknown, problems: ErrorDetail[]): WebhookDefinition['retry'] {
  if (retry === undefined || retry === null) return {};
  if (!isObject(retry)) {
    problems.push({ field: 'retry', rule: 'type', message: 'retry must be an object' });
    return {};
  }
  const out: { max_attempts?: number; backoff?: string; schedule?: number[] } = {};
  if (retry.max_attempts !== undefined) {
    if (typeof retry.max_attempts !== 'number' || !Number.isInteger(retry.max_attempts) || retry.max_attempts < 1 || retry.max_attempts > 50) {
      problems.push({ field: 'retry.max_attempts', rule: 'range', message: 'max_attempts is an integer from 1 to 50' });
    } else out.max_attempts = retry.max_attempts;
  }
  if (retry.backoff !== undefined) {
    if (retry.backoff !== 'exponential' && retry.backoff !== 'fixed') problems.push({ field: 'retry.backoff', rule: 'enum', message: 'backoff is exponential or fixed' });
    else out.backoff = retry.backoff;
  }
  if (retry.schedule !== undefined) {
    const schedule = parseSchedule(retry.schedule);
    if (!schedule) problems.push({ field: 'retry.schedule', rule: 'type', message: 'schedule is a list of 1 to 50 durations (0, 5s, 5m, 2h)' });
    else out.schedule = schedule;
  }
  return out;
}

/**
 * Reads a webhook as sent to `/_admin/webhooks` (Rocket's defaults: hook after_write,
 * method POST, async true, active true), every problem at once; the condition is
 * compiled, so a bad one is refused with its line and column.
 */
export function parseWebhookDefinition(input: unknown): ParsedWebhook {
  if (!isObject(input)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a webhook must be a JSON object' }] };
  const problems: ErrorDetail[] = [];
  const id = input.id ?? input.name;
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(id)) problems.push({ field: 'id', rule: 'pattern', message: 'id must be 1 to 100 letters, digits, _ . or -' });
  if (typeof input.entity !== 'string' || input.entity === '') problems.push({ field: 'entity', rule: 'required', message: 'entity is required' });
  const hook = input.hook ?? 'after_write';
  if (!WEBHOOK_HOOKS.includes(hook as WebhookHook)) problems.push({ field: 'hook', rule: 'enum', message: `hook is one of ${WEBHOOK_HOOKS.join(', ')}` });
  problems.push(...urlProblems(input.url));
  const method = typeof input.method === 'string' ? input.method.toUpperCase() : input.method === undefined ? 'POST' : input.method;
  if (!WEBHOOK_METHODS.includes(method as WebhookMethod)) problems.push({ field: 'method', rule: 'enum', message: `method is one of ${WEBHOOK_METHODS.join(', ')}` });
  problems.push(...headerProblems(input.headers));
  const condition = input.condition ?? '';
  if (typeof condition !== 'string') problems.push({ field: 'condition', rule: 'type', message: 'condition must be an expression (a string)' });
  else if (condition.trim() !== '') {
    const compiled = compileExpression(condition);
    if (!compiled.ok) problems.push(...compiled.details.map((detail) => ({ ...detail, field: 'condition' })));
  }
  for (const flag of ['async', 'active'] as const) {
    if (input[flag] !== undefined && typeof input[flag] !== 'boolean') problems.push({ field: flag, rule: 'type', message: `${flag} must be true or false` });
  }
  const retry = retryOf(input.retry, problems);
  const timeout = input.timeout === undefined ? undefined : parseDurationMs(input.timeout);
  if (timeout === null || (timeout !== undefined && (timeout < 1 || timeout > 60_000))) problems.push({ field: 'timeout', rule: 'range', message: 'timeout is a duration from 1ms to 60s' });
  if (problems.length > 0) return { ok: false, details: problems };
  const name = id as string;
  return {
    ok: true,
    value: {
      name,
      id: name,
      entity: input.entity as string,
      hook: hook as WebhookHook,
      url: input.url as string,
      method: method as WebhookMethod,
      headers: { ...((input.headers as Record<string, string>) ?? {}) },
      condition: condition as string,
      async: (input.async as boolean | undefined) ?? !SYNC_HOOKS.has(hook as WebhookHook),
      retry,
      active: (input.active as boolean | undefined) ?? true,
      ...(typeof timeout === 'number' ? { timeout } : {}),
    },
  };
}

/** Properties a webhook sent now may not carry (stored ones are read leniently). */
export function webhookAdmissionProblems(input: unknown): ErrorDetail[] {
  if (!isObject(input)) return [];
  return Object.keys(input).filter((key) => !KEYS.has(key)).map((key) => ({ field: key, rule: 'unknown', message: `unknown property ${key}` }));
}
