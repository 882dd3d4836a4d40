import type { Pool } from 'pg';

/** Stores a new endpoint's secret; false when the endpoint already has one (a secret is issued once). */
export async function insertSecret(pool: Pool, app: string, webhookId: string, secret: string): Promise<boolean> {
  const result = await pool.query('INSERT INTO webhooks.secrets (app, webhook_id, secret) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [app, webhookId, secret]);
  return result.rowCount === 1;
}

/** Makes `secret` current; the one it replaces signs beside it until `graceMs` from now. Null when the endpoint has no secret. */
export async function rotateSecret(pool: Pool, app: string, webhookId: string, secret: string, graceMs: number): Promise<{ previous_until: Date } | null> {
  const { rows } = await pool.query<{ previous_until: Date }>(
    `UPDATE webhooks.secrets SET previous = secret, secret = $3, previous_until = now() + make_interval(secs => $4::double precision / 1000), rotated_at = now()
     WHERE app = $1 AND webhook_id = $2 RETURNING previous_until`,
    [app, webhookId, secret, graceMs],
  );
  return rows[0] ?? null;
}

export async function secretsOf(pool: Pool, app: string, webhookId: string): Promise<{ secret: string; previous: string | null; previous_until: Date | null } | null> {
  const { rows } = await pool.query<{ secret: string; previous: string | null; previous_until: Date | null }>('SELECT secret, previous, previous_until FROM webhooks.secrets WHERE app = $1 AND webhook_id = $2', [app, webhookId]);
  return rows[0] ?? null;
}
