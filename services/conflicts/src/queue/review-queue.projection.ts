import type { PoolClient } from 'pg';
import type { TakesEvent } from '@takes/contracts';

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
export async function applyToReviewQueue(client: PoolClient, event: TakesEvent): Promise<'applied' | 'skipped'> {
  const { rows } = await client.query<{ position: string }>('SELECT position FROM conflicts.watermarks WHERE read_model = $1 FOR UPDATE', [REVIEW_QUEUE]);
  if (Number(rows[0].position) >= event.position) return 'skipped';
  switch (event.type) {
    case 'resolved':
      await resolveFields(client, event);
      break;
    default:
      await enqueueContested(client, event);
  }
  await advanceWatermark(client, event.position);
  return 'applied';
}

export async function advanceWatermark(client: PoolClient, position: number): Promise<void> {
  await client.query('UPDATE conflicts.watermarks SET position = GREATEST(position, $2) WHERE read_model = $1', [REVIEW_QUEUE, position]);
}

async function enqueueContested(client: PoolClient, event: TakesEvent): Promise<void> {
  await client.query(
    `INSERT INTO conflicts.contested (app, entity, entity_id, pointer, version, position, user_id, device, contested_at)
     SELECT $1, $2, $3, pointer, $5, $6, $7, $8, $9 FROM unnest($4::text[]) AS pointer
     ON CONFLICT (app, entity, entity_id, pointer) DO UPDATE SET version = EXCLUDED.version, position = EXCLUDED.position,
       user_id = EXCLUDED.user_id, device = EXCLUDED.device, contested_at = EXCLUDED.contested_at`,
    [event.app, event.entity, event.entity_id, event.contested, event.version, event.position, event.user.id, event.device, event.commit_ts],
  );
}

/** A pick for field F settles every contested path under /F (and a whole-record contest). */
async function resolveFields(client: PoolClient, event: TakesEvent): Promise<void> {
  const fields = Object.keys(event.submitted).map((f) => `/${f.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  await client.query(
    `DELETE FROM conflicts.contested
     WHERE app = $1 AND entity = $2 AND entity_id = $3
       AND (pointer = '' OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS f WHERE pointer = f OR pointer LIKE f || '/%'))`,
    [event.app, event.entity, event.entity_id, fields],
  );
}
