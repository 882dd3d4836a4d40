import type { ClientBase } from 'pg';

/** A delivery to insert: one event for one endpoint, its body fixed (signed the same on every attempt). */
export interface NewDelivery {
  id: string;
  app: string;
  webhook_id: string;
  event_id: string;
  position: number;
  entity: string;
  record_id: string;
  hook: string;
  message_id: string;
  body: string;
  idempotency_key: string;
  /** A webhook action's call: its own url (as written: a path is resolved when sent) and method. */
  url?: string;
  method?: string;
}

/**
 * Inserts deliveries in one statement; a (event, endpoint) pair already there is left as it
 * is, so an event seen again adds nothing. Returns how many rows were new.
 */
export async function insertDeliveries(client: Pick<ClientBase, 'query'>, deliveries: NewDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO webhooks.deliveries (id, app, webhook_id, event_id, position, entity, record_id, hook, message_id, body, idempotency_key, url, method)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, app text, webhook_id text, event_id uuid, position bigint, entity text, record_id text, hook text, message_id text, body text, idempotency_key text, url text, method text)
     ON CONFLICT (event_id, webhook_id) DO NOTHING`,
    [JSON.stringify(deliveries)],
  );
  return result.rowCount ?? 0;
}

/**
 * Replay: the deliveries are made again (new ones inserted, existing ones of the pair
 * reopened with a fresh schedule, their webhook-id unchanged). Returns how many.
 */
export async function reopenDeliveries(client: Pick<ClientBase, 'query'>, deliveries: NewDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await client.query(
    `INSERT INTO webhooks.deliveries (id, app, webhook_id, event_id, position, entity, record_id, hook, message_id, body, idempotency_key, url, method)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, app text, webhook_id text, event_id uuid, position bigint, entity text, record_id text, hook text, message_id text, body text, idempotency_key text, url text, method text)
     ON CONFLICT (event_id, webhook_id) DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, updated_at = now()`,
    [JSON.stringify(deliveries)],
  );
  return result.rowCount ?? 0;
}
