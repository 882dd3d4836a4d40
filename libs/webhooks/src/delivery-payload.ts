import type { Actor, TakesEvent } from '@takes/contracts';
import type { WebhookHook } from './webhook-definition';

type JsonRecord = Record<string, unknown>;

/** The hooks an event type sets off: each write type is an after_write, and Takes' own types also their own hook. */
const HOOKS_OF: Readonly<Record<string, readonly WebhookHook[]>> = {
  created: ['after_write'],
  updated: ['after_write'],
  restored: ['after_write'],
  merged: ['after_write', 'merged'],
  resolved: ['after_write', 'resolved'],
  lost_update: ['after_write', 'lost_update'],
  deleted: ['after_delete'],
  shelved: ['shelved'],
};

/** The async hooks an event of this type sets off (none for metadata and for types this build does not know). */
export function hooksOfEvent(type: string): readonly WebhookHook[] {
  return Object.prototype.hasOwnProperty.call(HOOKS_OF, type) ? HOOKS_OF[type] : [];
}

/** Rocket's action of an event: create, delete, or update for every other write. */
export function actionOfEvent(type: string): 'create' | 'update' | 'delete' {
  return type === 'created' ? 'create' : type === 'deleted' ? 'delete' : 'update';
}

/** The fields whose value differs between two states: `{field: {old, new}}` (a missing field is null). */
export function fieldChanges(old: JsonRecord | null, record: JsonRecord | null): Record<string, { old: unknown; new: unknown }> {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  const keys = new Set([...Object.keys(old ?? {}), ...Object.keys(record ?? {})]);
  for (const key of keys) {
    const before = old?.[key] ?? null;
    const after = record?.[key] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(after)) changes[key] = { old: before, new: after };
  }
  return changes;
}

/** Rocket's webhook body, as async deliveries and sync hooks both send it. */
interface RocketPayload<Hook> {
  event: Hook;
  entity: string;
  action: 'create' | 'update' | 'delete';
  /** The record after the event (for a delete, as it was when deleted); null for a shelved edit's record it did not change. */
  record: JsonRecord | null;
  old: JsonRecord | null;
  changes: Record<string, { old: unknown; new: unknown }>;
  user: Pick<Actor, 'id' | 'roles'> | null;
  timestamp: string;
  /** The command id: the same for every event and endpoint of one client write. */
  idempotency_key: string;
}

/** What a receiver gets: Rocket's webhook body plus the Takes event it came from. */
export interface WebhookPayload extends RocketPayload<WebhookHook> {
  /** The event itself (its patch, submitted values, versions, position, contested fields). */
  takes_event: TakesEvent;
}

/**
 * The body of an async delivery of `event` for `hook`, from the record before (`old`,
 * null when it did not exist) and after the event (`record`).
 */
export function deliveryPayload(hook: WebhookHook, event: TakesEvent, old: JsonRecord | null, record: JsonRecord | null): WebhookPayload {
  return {
    event: hook,
    entity: event.entity,
    action: actionOfEvent(event.type),
    record,
    old,
    changes: fieldChanges(old, record),
    user: event.user ? { id: event.user.id, roles: event.user.roles } : null,
    timestamp: event.commit_ts,
    idempotency_key: event.command_id,
    takes_event: event,
  };
}

/** The body of a sync hook call: the record as it would be written, and what it was. */
export type SyncHookPayload = RocketPayload<'before_write' | 'before_delete'>;

export function syncHookPayload(hook: 'before_write' | 'before_delete', entity: string, old: JsonRecord | null, record: JsonRecord | null, user: Actor | null, commandId: string, now: Date): SyncHookPayload {
  const action = hook === 'before_delete' ? 'delete' : old === null ? 'create' : 'update';
  return { event: hook, entity, action, record, old, changes: fieldChanges(old, record), user: user ? { id: user.id, roles: user.roles } : null, timestamp: now.toISOString(), idempotency_key: commandId };
}
