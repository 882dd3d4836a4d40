import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/**
 * The raw PostgreSQL baseline of the benchmarks: per append, the event store's own
 * statements (lock the head, insert the event, upsert the head, insert the command
 * result) in one transaction, with pg, acknowledged after COMMIT.
 */
export async function rawAppend(client: Client, entityId: string, version: number, data: object): Promise<void> {
  const commandId = randomUUID();
  const now = new Date().toISOString();
  await client.query('BEGIN');
  try {
    await client.query('SELECT version FROM event_store.streams WHERE app = $1 AND entity = $2 AND entity_id = $3 FOR UPDATE', ['main', 'raw', entityId]);
    const { rows } = await client.query(
      `INSERT INTO event_store.events (id, v, command_id, app, entity, entity_id, type, version, prior_version, base_version,
         patch, submitted, branch_ts, submit_ts, commit_ts, user_id, user_roles)
       VALUES ($1, 1, $2, 'main', 'raw', $3, $4, $5, $6, $6, $7, $8, $9, $9, clock_timestamp(), 'bench', '{admin}') RETURNING position`,
      [randomUUID(), commandId, entityId, version === 1 ? 'created' : 'updated', version, version - 1, JSON.stringify([{ op: 'replace', path: '/n', value: version }]), JSON.stringify(data), now],
    );
    await client.query(
      `INSERT INTO event_store.streams (app, entity, entity_id, version, state, deleted, last_commit_ts, last_position)
       VALUES ('main', 'raw', $1, $2, $3, false, $4, $5)
       ON CONFLICT (app, entity, entity_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state,
         last_commit_ts = EXCLUDED.last_commit_ts, last_position = EXCLUDED.last_position`,
      [entityId, version, JSON.stringify(data), now, rows[0].position],
    );
    await client.query(
      `INSERT INTO event_store.commands (app, user_id, command_id, body_hash, result) VALUES ('main', 'bench', $1, 'h', $2)`,
      [commandId, JSON.stringify({ version })],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

