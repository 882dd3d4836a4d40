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
  /** A webhook action's call: its url (a path not yet resolved) and method; null for a webhook definition's delivery. */
  url: string | null;
  method: string | null;
  secret: string | null;
  previous: string | null;
  previous_until: Date | null;
}

/**
 * Claims up to `limit` due deliveries for this process: open, due, not leased, the
 * earliest open one of its (endpoint, record) (so each record's events reach an endpoint
 * in order), of a live, enabled endpoint with fewer than `perEndpoint` leased requests.
 * Each endpoint with free slots gives at most that many candidates, read in its own due
 * order without locks; only the rows chosen are locked, with `FOR UPDATE
 * SKIP LOCKED` (two replicas claiming at once take different rows; a row another replica
 * leased meanwhile fails the re-checked lease condition), so a claim that finds every
 * endpoint busy writes nothing. The lease (committed with the claim) keeps others off a
 * row while its request runs; a lease that runs out (its process died) makes it due again.
 */
export async function claimDue(pool: Pool, limit: number, perEndpoint: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await pool.query<ClaimedDelivery>(
    `WITH busy AS (
       SELECT app, webhook_id, count(*) AS n FROM webhooks.deliveries
       WHERE lease_until > now() AND status IN ('pending', 'retrying') GROUP BY app, webhook_id
     ), free AS (
       SELECT e.app, e.id, $2 - coalesce(b.n, 0) AS slots FROM webhooks.endpoints e
       LEFT JOIN busy b ON b.app = e.app AND b.webhook_id = e.id
       WHERE NOT e.removed AND e.disabled_at IS NULL AND coalesce((e.definition->>'active')::boolean, true) AND $2 - coalesce(b.n, 0) > 0
     ), candidates AS (
       SELECT c.id, c.next_attempt_at, c.position FROM free f
       CROSS JOIN LATERAL (
         SELECT d.id, d.next_attempt_at, d.position FROM webhooks.deliveries d
         WHERE d.app = f.app AND d.webhook_id = f.id AND d.status IN ('pending', 'retrying') AND d.next_attempt_at <= now()
           AND (d.lease_until IS NULL OR d.lease_until < now())
           AND NOT EXISTS (
             SELECT 1 FROM webhooks.deliveries p
             WHERE p.app = d.app AND p.webhook_id = d.webhook_id AND p.entity = d.entity AND p.record_id = d.record_id
               AND p.status IN ('pending', 'retrying') AND p.position < d.position)
         ORDER BY d.next_attempt_at, d.position
         LIMIT f.slots
       ) c
     ), chosen AS (
       SELECT d.id FROM webhooks.deliveries d
       WHERE d.id IN (SELECT id FROM candidates ORDER BY next_attempt_at, position LIMIT $1)
         AND d.status IN ('pending', 'retrying') AND (d.lease_until IS NULL OR d.lease_until < now())
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhooks.deliveries d SET lease_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
     FROM chosen, webhooks.endpoints e LEFT JOIN webhooks.secrets s ON s.app = e.app AND s.webhook_id = e.id
     WHERE d.id = chosen.id AND e.app = d.app AND e.id = d.webhook_id
     RETURNING d.id, d.app, d.webhook_id, d.message_id, d.body, d.attempts, e.definition, d.url, d.method, s.secret, s.previous, s.previous_until`,
    [limit, perEndpoint, leaseMs],
  );
  return rows;
}

export interface AttemptRecord {
  startedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  excerpt: string | null;
  webhookTimestamp: number;
  /** What the attempt leaves the delivery: done, failed, or due again after retryInMs. */
  status: 'delivered' | 'failed' | 'retrying';
  retryInMs?: number;
  /** How the attempt bears on the endpoint: it answered 2xx, it failed (gone: 410), or no request was sent. */
  endpoint: 'healthy' | 'failing' | 'gone' | 'untouched';
}

/**
 * Records one attempt in one statement: the attempt logged (numbered after the
 * delivery's earlier ones, replays included), the delivery settled (its lease given
 * back; one cancelled while its attempt ran, its endpoint removed, stays cancelled), and the endpoint's health: healthy again on a 2xx; on a failure marked failing
 * since now (if it was not), and disabled when it answered 410 or has failed for longer
 * than `disableAfterMs`. Returns the reason when this attempt disabled it.
 */
export async function recordAttempt(client: Pick<ClientBase, 'query'>, delivery: Pick<ClaimedDelivery, 'id' | 'app' | 'webhook_id'>, attempt: AttemptRecord, disableAfterMs: number): Promise<string | null> {
  const { rows } = await client.query<{ disabled_reason: string | null }>(
    `WITH logged AS (
       INSERT INTO webhooks.attempts (delivery_id, attempt, started_at, duration_ms, response_status, error, response_excerpt, webhook_timestamp)
       SELECT $1, coalesce(max(attempt), 0) + 1, $2, $3, $4, $5, $6, $7 FROM webhooks.attempts WHERE delivery_id = $1
     ), settled AS (
       UPDATE webhooks.deliveries SET status = $8, attempts = attempts + 1, lease_until = NULL, last_status = $4, last_error = $5, updated_at = now(),
         next_attempt_at = CASE WHEN $8 = 'retrying' THEN now() + make_interval(secs => $9::double precision / 1000) ELSE next_attempt_at END
       WHERE id = $1 AND status <> 'cancelled'
     ), healthy AS (
       UPDATE webhooks.endpoints SET failing_since = NULL WHERE $10 = 'healthy' AND app = $11 AND id = $12 AND failing_since IS NOT NULL
     ), failing AS (
       UPDATE webhooks.endpoints SET failing_since = coalesce(failing_since, now()),
         disabled_at = CASE WHEN $10 = 'gone' OR coalesce(failing_since, now()) < now() - make_interval(secs => $13::double precision / 1000) THEN now() ELSE NULL END,
         disabled_reason = CASE WHEN $10 = 'gone' THEN 'the endpoint answered 410 Gone'
           WHEN coalesce(failing_since, now()) < now() - make_interval(secs => $13::double precision / 1000) THEN 'the endpoint failed for longer than ' || ($13::bigint / 1000) || ' s'
           ELSE NULL END
       WHERE $10 IN ('failing', 'gone') AND app = $11 AND id = $12 AND disabled_at IS NULL
       RETURNING disabled_reason
     )
     SELECT (SELECT disabled_reason FROM failing) AS disabled_reason`,
    [
      delivery.id, attempt.startedAt, attempt.durationMs, attempt.responseStatus, attempt.error, attempt.excerpt, attempt.webhookTimestamp,
      attempt.status, attempt.retryInMs ?? 0, attempt.endpoint, delivery.app, delivery.webhook_id, disableAfterMs,
    ],
  );
  return rows[0]?.disabled_reason ?? null;
}
