import { TakesHttpError, Transport, type Tokens } from '@takes/client';
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

/**
 * The gateway's HTTP API as the page uses it, over @takes/client's Transport: every
 * request is JSON with the bearer token; an answer 401 is retried once after a token
 * refresh (the new pair is kept in the session), and a 401 that a refresh cannot mend ends
 * the session (onSession(null)).
 */
export class Gateway {
  private readonly transport: Transport;

  constructor(
    readonly apiUrl: string,
    private session: Session,
    private readonly onSession: (session: Session | null) => void,
  ) {
    this.transport = transportFor(apiUrl, session.app, (tokens) => {
      this.session = { ...this.session, accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? this.session.refreshToken };
      this.onSession(this.session);
    });
    this.transport.setTokens({ access_token: session.accessToken, refresh_token: session.refreshToken });
  }

  get app(): string {
    return this.session.app;
  }

  get accessToken(): string {
    return this.session.accessToken;
  }

  static async login(apiUrl: string, app: string, email: string, password: string): Promise<Session> {
    const tokens = await answered(apiUrl, 'POST', `/api/${encodeURIComponent(app)}/auth/login`, () => transportFor(apiUrl, app).login(email, password));
    return { app, accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? '' };
  }

  async logout(): Promise<void> {
    await this.transport.request('POST', '/auth/logout', { refresh_token: this.session.refreshToken }).catch(() => undefined);
    this.onSession(null);
  }

  queue(filters: QueueFilters): Promise<ReviewQueuePage> {
    const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
    const search = query.toString();
    return this.call('GET', `/_conflicts${search ? `?${search}` : ''}`);
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

  private recordPath(entity: string, id: string): string {
    return `/${encodeURIComponent(entity)}/${encodeURIComponent(id)}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await answered(this.apiUrl, method, `/api/${encodeURIComponent(this.session.app)}${path}`, async () => (await this.transport.request<T>(method, path, body)).body);
    } catch (error) {
      if (error instanceof GatewayError && error.status === 401) this.onSession(null);
      throw error;
    }
  }
}

function transportFor(apiUrl: string, app: string, onTokens?: (tokens: Tokens) => void): Transport {
  return new Transport({ baseUrl: apiUrl, app: encodeURIComponent(app), onTokens });
}

/** The Transport's answer, its failures told as the page tells them (GatewayError; `path` is the whole route, for the message). */
async function answered<T>(apiUrl: string, method: string, path: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof TakesHttpError)) throw error;
    if (error.status === 0) throw new GatewayError(0, 'UNREACHABLE', `the gateway at ${apiUrl} does not answer`);
    const body = error.body?.error;
    throw new GatewayError(error.status, body?.code ?? 'HTTP_ERROR', body?.message ?? `${method} ${path} answered ${error.status}`, body?.details ?? null);
  }
}
