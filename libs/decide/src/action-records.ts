import { createHash } from 'node:crypto';
import { TakesError, type AppendCommand } from '@takes/contracts';
import type { AppMetadata } from '@takes/metadata';
import type { Decision } from './decision';
import type { RecordCreate } from './record-checks';

/**
 * A record's key made from the write that creates it (app, writer, command id, the record
 * whose transition creates it, and the action's place among that write's actions): a
 * command sent again makes the same key, so a retry can never create a second record.
 * Shaped as a UUID (version 8: made by the application).
 */
export function actionRecordKey(source: AppendCommand, index: number): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([source.app, source.user?.id ?? null, source.command_id, source.entity, source.entity_id, index]))
    .digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The records a write's create_record actions make, as parts of the same command (kept
 * whole with it or not at all, like a nested write's rows): each a create of the action's
 * entity with the action's data, by the same writer, its key the one the data names or
 * else one made from the write (actionRecordKey).
 */
export function actionCreateParts(source: AppendCommand, creates: readonly RecordCreate[], metadata: AppMetadata): AppendCommand[] {
  return creates.map((create, index) => {
    const key = metadata.entities.get(create.entity)?.primary_key.field ?? 'id';
    const named = create.data[key];
    const entityId = named === undefined || named === null ? actionRecordKey(source, index) : String(named);
    return {
      v: source.v,
      command_id: source.command_id,
      parent: source.parent ?? null,
      app: source.app,
      entity: create.entity,
      entity_id: entityId,
      op: 'create',
      base_version: null,
      data: { ...create.data, [key]: named ?? entityId },
      branch_ts: null,
      submit_ts: source.submit_ts ?? null,
      device: source.device ?? null,
      user: source.user,
    };
  });
}

/** A create_record action's refusal as the whole write's: the action and its record lead the message and each detail. */
export function actionPartDecision(part: AppendCommand, decision: Decision): Decision {
  if (decision.kind !== 'reject') return decision;
  const at = `create_record ${part.entity}`;
  const { error } = decision;
  return {
    kind: 'reject',
    error: new TakesError(
      error.code,
      `the transition's ${at} (${part.entity_id}): ${error.message}`,
      Array.isArray(error.details) ? error.details.map((d) => ({ ...d, field: d.field ? `${at}.${d.field}` : at })) : [{ field: at, rule: error.code.toLowerCase(), message: error.message }],
    ),
  };
}
