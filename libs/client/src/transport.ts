import type { ErrorBody } from '@takes/contracts';

/** Access and refresh token, as login and refresh return them. */
export interface Tokens {
  access_token: string;
  refresh_token?: string;
}

/** The fetch the client calls: the platform's by default (browsers, Node 18+, React Native). */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** An answer that was not 2xx; `retryable` when trying again later may work (network, 5xx, 429). */
export class TakesHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: ErrorBody } | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(body?.error?.message ?? (status === 0 ? 'network error' : `HTTP ${status}`));
    this.name = 'TakesHttpError';
  }

  /** The error code of the body (`VALIDATION_FAILED`, ...), when there is one. */
  get code(): string | undefined {
    return this.body?.error?.code;
  }
}

export interface TransportOptions {
  /** The gateway, e.g. `http://localhost:8080`. */
  baseUrl: string;
  app: string;
  fetch?: FetchLike;
  /** How long one request may take before it counts as a network error (ms). */
  timeoutMs?: number;
  /** Called with every new token pair (after login and after each refresh), to keep them. */
  onTokens?: (tokens: Tokens) => void | Promise<void>;
}

/**
 * HTTP to the gateway: JSON on every request, the bearer token, one refresh and retry on
 * a 401 (refresh tokens rotate, so the new pair is handed to onTokens), errors as
 * TakesHttpError.
 */
export class Transport {
  private tokens: Tokens | undefined;
  private refreshing: Promise<boolean> | undefined;
  private readonly fetch: FetchLike;

  constructor(private readonly options: TransportOptions) {
    this.fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  setTokens(tokens: Tokens | undefined): void {
    this.tokens = tokens;
  }

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  async login(email: string, password: string): Promise<Tokens> {
    const { body } = await this.send<{ data: Tokens }>('POST', '/auth/login', { email, password }, false);
    await this.keep(body.data);
    return body.data;
  }

  /** A request to `/api/<app><path>`; the answer's body and headers. */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ body: T; headers: { get(name: string): string | null } }> {
    try {
      return await this.send<T>(method, path, body, true, headers);
    } catch (error) {
      if (!(error instanceof TakesHttpError) || error.status !== 401 || !(await this.refresh())) throw error;
      return this.send<T>(method, path, body, true, headers);
    }
  }

  private refresh(): Promise<boolean> {
    const refreshToken = this.tokens?.refresh_token;
    if (!refreshToken) return Promise.resolve(false);
    // Requests that fail together share one refresh: a refresh token works once.
    this.refreshing ??= this.send<{ data: Tokens }>('POST', '/auth/refresh', { refresh_token: refreshToken }, false)
      .then(async ({ body }) => {
        await this.keep(body.data);
        return true;
      })
      .catch((error) => {
        if (error instanceof TakesHttpError && error.retryable) throw error;
        return false;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async keep(tokens: Tokens): Promise<void> {
    this.tokens = tokens;
    await this.options.onTokens?.(tokens);
  }

  private async send<T>(method: string, path: string, body: unknown, authorized: boolean, extra: Record<string, string> = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
    if (authorized && this.tokens) headers.authorization = `Bearer ${this.tokens.access_token}`;
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = controller ? setTimeout(() => controller.abort(), this.options.timeoutMs ?? 30_000) : undefined;
    let response: Awaited<ReturnType<FetchLike>>;
    let text: string;
    try {
      response = await this.fetch(`${this.options.baseUrl}/api/${this.options.app}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller?.signal,
      });
      text = await response.text();
    } catch {
      throw new TakesHttpError(0, undefined, true);
    } finally {
      if (timer) clearTimeout(timer);
    }
    const parsed = text ? safeJson(text) : undefined;
    if (response.status >= 200 && response.status < 300) return { body: parsed as T, headers: response.headers };
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new TakesHttpError(response.status, parsed as { error?: ErrorBody } | undefined, retryable, retryAfterMs(response.headers.get('retry-after')));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
