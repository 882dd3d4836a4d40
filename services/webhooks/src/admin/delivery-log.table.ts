import type { Pool } from 'pg';
import type { WebhookLogPage, WebhookLogView, WebhookLogsRequest } from '@takes/contracts';

const ROW = `d.id, d.webhook_id, d.entity, d.record_id, d.hook, d.event_id, d.position, d.message_id, d.status, d.attempts, d.next_attempt_at, d.last_status,
  d.last_error, d.idempotency_key, d.body, d.created_at, d.updated_at, coalesce(d.url, e.definition->>'url') AS url, coalesce(d.method, e.definition->>'method', 'POST') AS method,
  (SELECT count(*) FROM webhooks.attempts a WHERE a.delivery_id = d.id) AS attempt_count`;

interface LogRow {
  id: string;
  webhook_id: string;
  entity: string;
  record_id: string;
  hook: string;
  event_id: string;
  position: string;
  message_id: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  idempotency_key: string;
  body: string;
  created_at: Date;
  updated_at: Date;
  url: string | null;
  method: string;
  attempt_count: string;
}

/** A delivery in Rocket's log row shape, plus Takes' record id, event, position and webhook-id. */
function view(row: LogRow): WebhookLogView {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    entity: row.entity,
    record_id: row.record_id,
    hook: row.hook,
    url: row.url,
    method: row.method,
    request_headers: { 'webhook-id': row.message_id, 'content-type': 'application/json' },
    request_body: JSON.parse(row.body),
    response_status: row.last_status,
    status: row.status,
    attempt: Number(row.attempt_count),
    next_retry_at: row.status === 'retrying' ? row.next_attempt_at.toISOString() : null,
    error: row.last_error ?? '',
    idempotency_key: row.idempotency_key,
    event_id: row.event_id,
    position: Number(row.position),
    webhook_message_id: row.message_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Deliveries of an app, newest first, by endpoint, status, entity, record and creation time. */
export async function listDeliveries(pool: Pool, request: WebhookLogsRequest): Promise<WebhookLogPage> {
  const where = ['d.app = $1'];
  const params: unknown[] = [request.app];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (request.webhook_id) add('d.webhook_id = ?', request.webhook_id);
  if (request.status) add('d.status = ?', request.status);
  if (request.entity) add('d.entity = ?', request.entity);
  if (request.record_id) add('d.record_id = ?', request.record_id);
  if (request.since) add('d.created_at >= ?', request.since);
  if (request.until) add('d.created_at < ?', request.until);
  const page = request.page ?? 1;
  const perPage = request.per_page ?? 25;
  const total = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM webhooks.deliveries d WHERE ${where.join(' AND ')}`, params)).rows[0].n);
  const { rows } = await pool.query<LogRow>(
    `SELECT ${ROW} FROM webhooks.deliveries d LEFT JOIN webhooks.endpoints e ON e.app = d.app AND e.id = d.webhook_id
     WHERE ${where.join(' AND ')} ORDER BY d.created_at DESC, d.position DESC LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
    params,
  );
  return { data: rows.map(view), meta: { page, per_page: perPage, total, total_pages: Math.ceil(total / perPage) } };
}

/** One delivery with each attempt, oldest first; null when the app has no such delivery. */
export async function getDelivery(pool: Pool, app: string, id: string): Promise<WebhookLogView | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await pool.query<LogRow>(`SELECT ${ROW} FROM webhooks.deliveries d LEFT JOIN webhooks.endpoints e ON e.app = d.app AND e.id = d.webhook_id WHERE d.app = $1 AND d.id = $2`, [app, id]);
  if (!rows[0]) return null;
  const attempts = await pool.query(
    `SELECT attempt, started_at, duration_ms, response_status, error, response_excerpt, webhook_timestamp FROM webhooks.attempts WHERE delivery_id = $1 ORDER BY attempt`,
    [id],
  );
  return { ...view(rows[0]), attempts: attempts.rows.map((a) => ({ ...a, webhook_timestamp: Number(a.webhook_timestamp), started_at: (a.started_at as Date).toISOString() })) };
}

/** Reopens a delivery for an attempt now, with a fresh schedule; false when none, or when one of its requests is running. */
export async function reopenDelivery(pool: Pool, app: string, id: string): Promise<'reopened' | 'missing' | 'running'> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return 'missing';
  const { rows } = await pool.query<{ running: boolean }>(
    `UPDATE webhooks.deliveries d SET status = CASE WHEN d.lease_until > now() THEN d.status ELSE 'pending' END,
       attempts = CASE WHEN d.lease_until > now() THEN d.attempts ELSE 0 END,
       next_attempt_at = CASE WHEN d.lease_until > now() THEN d.next_attempt_at ELSE now() END, updated_at = now()
     WHERE d.app = $1 AND d.id = $2 RETURNING coalesce(d.lease_until > now(), false) AS running`,
    [app, id],
  );
  if (!rows[0]) return 'missing';
  return rows[0].running ? 'running' : 'reopened';
}
