import type { PatchOperation } from '@takes/contracts';
import type { StateChangeTrigger } from './workflow-definition';

/** The part of an event a trigger looks at. */
export interface TriggerEvent {
  readonly entity: string;
  readonly type: string;
  readonly patch: readonly PatchOperation[];
}

/** Event types that apply a record's new values (a shelved edit changed nothing; a delete is not a move). */
const MOVING_TYPES = new Set(['created', 'updated', 'merged', 'resolved', 'lost_update', 'restored']);

/** The pointer of a top-level field (`status` → `/status`), as a patch names it. */
function pointer(field: string): string {
  return `/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * The value the event moved the trigger's field to, when it did (an add or replace of the
 * field in the event's patch: the patch holds only what changed, so the field had another
 * value, or none, before). Undefined when the event did not move it.
 */
export function movedValue(trigger: StateChangeTrigger, event: TriggerEvent): unknown {
  if (event.entity !== trigger.entity || !MOVING_TYPES.has(event.type)) return undefined;
  const at = pointer(trigger.field);
  let moved: unknown;
  for (const op of event.patch) {
    if ((op.op === 'add' || op.op === 'replace') && op.path === at) moved = op.value;
    else if (op.op === 'add' && op.path === '' && op.value && typeof op.value === 'object') moved = (op.value as Record<string, unknown>)[trigger.field];
  }
  return moved;
}

/**
 * Whether the event moved the trigger's field to `to` (from one of `from` when given;
 * `previous` is the field's value before the event, from the record's prior state).
 */
export function triggerMatches(trigger: StateChangeTrigger, event: TriggerEvent, previous?: unknown): boolean {
  const moved = movedValue(trigger, event);
  if (moved === undefined || moved === null || String(moved) !== trigger.to) return false;
  if (trigger.from === undefined) return true;
  return previous !== undefined && previous !== null && trigger.from.includes(String(previous));
}
