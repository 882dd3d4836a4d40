import type { ClientBase, Pool } from 'pg';

/** A delivery claimed for one attempt, with its endpoint's definition and secrets. */
export interface ClaimedDelivery {
  id: string;
  app: string;
  webhook_id: string;
  message_id: string;
  body: string;
  attempts: number;
  definition: Record<string, unknown>;
  secret: string | null;
  previous: string | null;
  previous_until: Date | null;
}

/**
 * Claims up to `limit` due deliveries for this process: open, due, not leased, the
 * earliest open one of its (endpoint, record) (so each record's events reach an endpoint
 * in order), of a live, enabled endpoint with fewer than `perEndpoint` leased requests.
 * `FOR UPDATE SKIP LOCKED` makes two replicas claiming at once take different rows, and
 * the lease (committed with the claim) keeps others off a row while its request runs;
 * a lease that runs out (its process died) makes the row due again.
 */
export async function claimDue(pool: Pool, limit: number, perEndpoint: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await pool.query<ClaimedDelivery>(
    `WITH busy AS (
       SELECT app, webhook_id, count(*) AS n FROM webhooks.deliveries
       WHERE lease_until > now() AND status IN ('pending', 'retrying') GROUP BY app, webhook_id
     ), candidates AS (
       SELECT d.id, d.app, d.webhook_id, d.position FROM webhooks.deliveries d
       WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
         AND NOT EXISTS (
           SELECT 1 FROM webhooks.deliveries p
           WHERE p.app = d.app AND p.webhook_id = d.webhook_id AND p.entity = d.entity AND p.record_id = d.record_id
             AND p.status IN ('pending', 'retrying') AND p.position < d.position)
       ORDER BY d.next_attempt_at, d.position
       LIMIT $1 * 4
       FOR UPDATE OF d SKIP LOCKED
     ), ranked AS (
       SELECT c.id, row_number() OVER (PARTITION BY c.app, c.webhook_id ORDER BY c.position) + coalesce(b.n, 0) AS slot
       FROM candidates c JOIN webhooks.endpoints e ON e.app = c.app AND e.id = c.webhook_id
       LEFT JOIN busy b ON b.app = c.app AND b.webhook_id = c.webhook_id
       WHERE NOT e.removed AND e.disabled_at IS NULL AND coalesce((e.definition->>'active')::boolean, true)
     ), chosen AS (
       SELECT id FROM ranked WHERE slot <= $2 ORDER BY slot LIMIT $1
     )
     UPDATE webhooks.deliveries d SET lease_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
     FROM chosen, webhooks.endpoints e LEFT JOIN webhooks.secrets s ON s.app = e.app AND s.webhook_id = e.id
     WHERE d.id = chosen.id AND e.app = d.app AND e.id = d.webhook_id
     RETURNING d.id, d.app, d.webhook_id, d.message_id, d.body, d.attempts, e.definition, s.secret, s.previous, s.previous_until`,
    [limit, perEndpoint, leaseMs],
  );
  return rows;
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  status: number | null;
  error: string | null;
  excerpt: string | null;
  webhookTimestamp: number;
}

/** Logs one attempt (numbered after the delivery's earlier ones, replays included). */
export async function logAttempt(client: Pick<ClientBase, 'query'>, deliveryId: string, attempt: AttemptRecord): Promise<void> {
  await client.query(
    `INSERT INTO webhooks.attempts (delivery_id, attempt, started_at, duration_ms, response_status, error, response_excerpt, webhook_timestamp)
     SELECT $1, coalesce(max(attempt), 0) + 1, $2, $3, $4, $5, $6, $7 FROM webhooks.attempts WHERE delivery_id = $1`,
    [deliveryId, attempt.startedAt, attempt.durationMs, attempt.status, attempt.error, attempt.excerpt, attempt.webhookTimestamp],
  );
}

/** The delivery's state after an attempt: done, failed, or due again after `retryInMs`. */
export async function settleDelivery(
  client: Pick<ClientBase, 'query'>,
  id: string,
  outcome: { status: 'delivered' | 'failed' | 'retrying'; retryInMs?: number; responseStatus: number | null; error: string | null },
): Promise<void> {
  await client.query(
    `UPDATE webhooks.deliveries SET status = $2, attempts = attempts + 1, lease_until = NULL, last_status = $3, last_error = $4, updated_at = now(),
       next_attempt_at = CASE WHEN $2 = 'retrying' THEN now() + make_interval(secs => $5::double precision / 1000) ELSE next_attempt_at END
     WHERE id = $1`,
    [id, outcome.status, outcome.responseStatus, outcome.error, outcome.retryInMs ?? 0],
  );
}

/** An endpoint answered 2xx: it is healthy again. */
export async function endpointSucceeded(client: Pick<ClientBase, 'query'>, app: string, id: string): Promise<void> {
  await client.query('UPDATE webhooks.endpoints SET failing_since = NULL WHERE app = $1 AND id = $2 AND failing_since IS NOT NULL', [app, id]);
}

/**
 * An endpoint failed: it is marked failing since now (if it was not), and disabled when
 * `gone` (410) or when it has failed for longer than `disableAfterMs`. Returns the reason
 * when this call disabled it.
 */
export async function endpointFailed(client: Pick<ClientBase, 'query'>, app: string, id: string, gone: boolean, disableAfterMs: number): Promise<string | null> {
  const { rows } = await client.query<{ disabled_reason: string | null }>(
    `UPDATE webhooks.endpoints SET failing_since = coalesce(failing_since, now()),
       disabled_at = CASE WHEN $3 OR coalesce(failing_since, now()) < now() - make_interval(secs => $4::double precision / 1000) THEN now() ELSE NULL END,
       disabled_reason = CASE WHEN $3 THEN 'the endpoint answered 410 Gone'
         WHEN coalesce(failing_since, now()) < now() - make_interval(secs => $4::double precision / 1000) THEN 'the endpoint failed for longer than ' || ($4::bigint / 1000) || ' s'
         ELSE NULL END
     WHERE app = $1 AND id = $2 AND disabled_at IS NULL
     RETURNING disabled_reason`,
    [app, id, gone, disableAfterMs],
  );
  return rows[0]?.disabled_reason ?? null;
}
