import type { PoolClient } from 'pg';
import { dollarQuoted, integerLiteral } from '@takes/db';
import type { TakesEvent } from '@takes/contracts';
import type { ContestParties } from '@takes/merge';

export const REVIEW_QUEUE = 'review_queue';

/** Whether an event changes the review queue at all (most do not). */
export function touchesReviewQueue(event: TakesEvent): boolean {
  return event.entity !== '_meta' && (event.type === 'resolved' || event.contested.length > 0);
}

/**
 * Applies one event to the review queue in a transaction with the watermark: events
 * arrive in position order, so one at or below the watermark was applied before (a
 * redelivery) and changes nothing. Contested paths enter the queue; a `resolved` event
 * takes out the contested paths under the field it set.
 */
export async function applyToReviewQueue(client: PoolClient, event: TakesEvent, parties: ContestParties[] = []): Promise<'applied' | 'skipped'> {
  const { rows } = await client.query<{ position: string }>('SELECT position FROM conflicts.watermarks WHERE read_model = $1 FOR UPDATE', [REVIEW_QUEUE]);
  if (Number(rows[0].position) >= event.position) return 'skipped';
  switch (event.type) {
    case 'resolved':
      await resolveFields(client, event);
      break;
    default:
      await enqueueContested(client, event, parties);
  }
  await advanceWatermark(client, event.position);
  return 'applied';
}

export async function advanceWatermark(client: PoolClient, position: number): Promise<void> {
  await client.query(advanceWatermarkSql(position));
}

/** advanceWatermark's statement (to send with COMMIT). */
export function advanceWatermarkSql(position: number): string {
  return `UPDATE conflicts.watermarks SET position = GREATEST(position, ${integerLiteral(position)}) WHERE read_model = ${dollarQuoted(REVIEW_QUEUE)}`;
}

/**
 * Each contested pointer enters the queue (or is brought up to date) with its parties:
 * the users and devices of every side, added to those of earlier contests of it.
 */
async function enqueueContested(client: PoolClient, event: TakesEvent, parties: ContestParties[]): Promise<void> {
  const byPointer = new Map(parties.map((p) => [p.pointer, p]));
  const rows = event.contested.map((pointer) => ({
    pointer,
    users: byPointer.get(pointer)?.users ?? [event.user.id],
    devices: byPointer.get(pointer)?.devices ?? (event.device ? [event.device] : []),
  }));
  await client.query(
    `INSERT INTO conflicts.contested (app, entity, entity_id, pointer, version, position, user_id, device, contested_at, users, devices)
     SELECT $1, $2, $3, r.pointer, $5, $6, $7, $8, $9,
            ARRAY(SELECT jsonb_array_elements_text(r.users)), ARRAY(SELECT jsonb_array_elements_text(r.devices))
     FROM jsonb_to_recordset($4::jsonb) AS r(pointer text, users jsonb, devices jsonb)
     ON CONFLICT (app, entity, entity_id, pointer) DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position,
       user_id = EXCLUDED.user_id, device = EXCLUDED.device, contested_at = EXCLUDED.contested_at,
       users = ARRAY(SELECT DISTINCT u FROM unnest(contested.users || EXCLUDED.users) AS u ORDER BY u),
       devices = ARRAY(SELECT DISTINCT d FROM unnest(contested.devices || EXCLUDED.devices) AS d ORDER BY d)`,
    [event.app, event.entity, event.entity_id, JSON.stringify(rows), event.version, event.position, event.user.id, event.device, event.commit_ts],
  );
}

/**
 * A pick for field F settles every contested path under /F; a pick of `_record` the
 * whole-record contest. (A contest stored before that had a name, pointer "", is
 * settled by any pick, as it was then.)
 */
async function resolveFields(client: PoolClient, event: TakesEvent): Promise<void> {
  const fields = Object.keys(event.submitted).map((f) => `/${f.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  await client.query(
    `DELETE FROM conflicts.contested
     WHERE app = $1 AND entity = $2 AND entity_id = $3
       AND (pointer = '' OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS f WHERE pointer = f OR starts_with(pointer, f || '/')))`,
    [event.app, event.entity, event.entity_id, fields],
  );
}

