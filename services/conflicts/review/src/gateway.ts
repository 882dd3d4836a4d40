import type { EventGraph, FieldHistory, RecordEvent, ReviewQueuePage } from './api-shapes';
import type { PickBody } from './pick-history';
import type { Session } from './session';

/** An answer in the gateway's error shape (`{error: {code, message, details}}`), or a network failure (status 0). */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

/** The review queue's filters, as `GET /api/:app/_conflicts` takes them (empty: no filter). */
export interface QueueFilters {
  entity?: string;
  user?: string;
  device?: string;
  min_age?: string;
  page?: string;
}

/** What a pick answers: the record and how the write went. */
export interface PickResult {
  data: Record<string, unknown>;
  meta: { outcome: string; version: number; position: number };
}

type Tokens = { access_token: string; refresh_token: string };

/**
 * The gateway's HTTP API as the page uses it. Every request is JSON with the bearer
 * token; an answer 401 is retried once after a token refresh, and a failed refresh ends
 * the session (onSession(null)).
 */
export class Gateway {
  constructor(
    readonly apiUrl: string,
    private session: Session,
    private readonly onSession: (session: Session | null) => void,
  ) {}

  get app(): string {
    return this.session.app;
  }

  get accessToken(): string {
    return this.session.accessToken;
  }

  static async login(apiUrl: string, app: string, email: string, password: string): Promise<Session> {
    const tokens = await send<{ data: Tokens }>(apiUrl, 'POST', `/api/${encodeURIComponent(app)}/auth/login`, null, { email, password });
    return { app, accessToken: tokens.data.access_token, refreshToken: tokens.data.refresh_token };
  }

  async logout(): Promise<void> {
    await send(this.apiUrl, 'POST', `${this.appPath()}/auth/logout`, this.session.accessToken, { refresh_token: this.session.refreshToken }).catch(() => undefined);
    this.onSession(null);
  }

  queue(filters: QueueFilters): Promise<ReviewQueuePage> {
    const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
    const search = query.toString();
    return this.call('GET', `${this.appPath()}/_conflicts${search ? `?${search}` : ''}`);
  }

  async record(entity: string, id: string): Promise<Record<string, unknown>> {
    return (await this.call<{ data: Record<string, unknown> }>('GET', this.recordPath(entity, id))).data;
  }

  async history(entity: string, id: string): Promise<FieldHistory[]> {
    return (await this.call<{ data: FieldHistory[] }>('GET', `${this.recordPath(entity, id)}/history`)).data;
  }

  async graph(entity: string, id: string): Promise<EventGraph> {
    return (await this.call<{ data: EventGraph }>('GET', `${this.recordPath(entity, id)}/graph`)).data;
  }

  /** Every event of the record, page by page. */
  async events(entity: string, id: string): Promise<RecordEvent[]> {
    const events: RecordEvent[] = [];
    for (let from: number | null = 1; from !== null; ) {
      const page: { data: RecordEvent[]; meta: { next_version: number | null } } = await this.call('GET', `${this.recordPath(entity, id)}/events?from_version=${from}&limit=1000`);
      events.push(...page.data);
      from = page.meta.next_version;
    }
    return events;
  }

  resolve(entity: string, id: string, pick: PickBody): Promise<PickResult> {
    return this.call('POST', `${this.recordPath(entity, id)}/resolve`, pick);
  }

  private appPath(): string {
    return `/api/${encodeURIComponent(this.session.app)}`;
  }

  private recordPath(entity: string, id: string): string {
    return `${this.appPath()}/${encodeURIComponent(entity)}/${encodeURIComponent(id)}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await send<T>(this.apiUrl, method, path, this.session.accessToken, body);
    } catch (error) {
      if (!(error instanceof GatewayError) || error.status !== 401) throw error;
    }
    await this.refresh();
    return send<T>(this.apiUrl, method, path, this.session.accessToken, body);
  }

  private async refresh(): Promise<void> {
    try {
      const tokens = await send<{ data: Tokens }>(this.apiUrl, 'POST', `${this.appPath()}/auth/refresh`, null, { refresh_token: this.session.refreshToken });
      this.session = { ...this.session, accessToken: tokens.data.access_token, refreshToken: tokens.data.refresh_token };
      this.onSession(this.session);
    } catch (error) {
      this.onSession(null);
      throw error;
    }
  }
}

async function send<T>(apiUrl: string, method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new GatewayError(0, 'UNREACHABLE', `the gateway at ${apiUrl} does not answer`);
  }
  const text = await response.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below by status
  }
  if (!response.ok) {
    const error = parsed?.error;
    throw new GatewayError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `${method} ${path} answered ${response.status}`, error?.details ?? null);
  }
  return parsed as T;
}
