import type { ClientBase } from 'pg';
import { parseWebhookDefinition, type WebhookDefinition } from '@takes/webhooks';

/** One webhook as the intake knows it at its watermark: its `_meta` record state and version. */
export interface EndpointRow {
  app: string;
  id: string;
  /** The `_meta` record's state (kept when removed, as the store keeps it). */
  state: Record<string, unknown>;
  version: number;
  removed: boolean;
  /** The definition read from the state; null when it does not parse (never delivered to). */
  definition: WebhookDefinition | null;
}

export function endpointKey(app: string, id: string): string {
  return `${app}\u001f${id}`;
}

export function readDefinition(state: Record<string, unknown>): WebhookDefinition | null {
  const parsed = parseWebhookDefinition(state);
  return parsed.ok ? parsed.value : null;
}

export async function loadEndpoints(client: Pick<ClientBase, 'query'>): Promise<Map<string, EndpointRow>> {
  const { rows } = await client.query<{ app: string; id: string; definition: Record<string, unknown>; version: number; removed: boolean }>('SELECT app, id, definition, version, removed FROM webhooks.endpoints');
  return new Map(rows.map((r) => [endpointKey(r.app, r.id), { app: r.app, id: r.id, state: r.definition, version: r.version, removed: r.removed, definition: readDefinition(r.definition) }]));
}

/**
 * Stores a webhook's new definition. A redefinition re-enables an endpoint that was
 * disabled (410 or failing too long): changing it is how an admin says it works again.
 * A removal cancels its open deliveries and drops its secret.
 */
export async function saveEndpoint(client: ClientBase, row: EndpointRow): Promise<void> {
  await client.query(
    `INSERT INTO webhooks.endpoints (app, id, definition, version, removed) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (app, id) DO UPDATE SET definition = EXCLUDED.definition, version = EXCLUDED.version, removed = EXCLUDED.removed,
       failing_since = NULL, disabled_at = NULL, disabled_reason = NULL`,
    [row.app, row.id, JSON.stringify(row.state), row.version, row.removed],
  );
  if (row.removed) {
    // A removed webhook's id is never defined again (a new webhook gets a new id): its secret goes.
    await client.query('DELETE FROM webhooks.secrets WHERE app = $1 AND webhook_id = $2', [row.app, row.id]);
    await client.query(`UPDATE webhooks.deliveries SET status = 'cancelled', lease_until = NULL, updated_at = now() WHERE app = $1 AND webhook_id = $2 AND status IN ('pending', 'retrying')`, [row.app, row.id]);
  }
}
