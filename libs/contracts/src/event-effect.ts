import type { EventType } from './event';

/**
 * What one event type does to its record, the one place that says it: `evolve` folds
 * events with it, the projector's rows, the merge's timeline and per-field takes read it.
 * It lives beside the event types (not in libs/decide) so that libs/merge, which
 * libs/decide imports, and a client library, which imports only contracts, read the
 * same table.
 */
export interface EventEffect {
  /**
   * Whether the event's patch is applied to the record (the state at the version before;
   * for `created`, the empty record at version 0). False: the event is kept in the
   * stream but changes no field (`shelved`); such an event is off the record's main
   * line, and its submitted values are takes that were never applied.
   */
  readonly applies: boolean;
  /** What the event leaves the record's deleted flag: a tombstone, a restore, or as it was. */
  readonly deleted: 'set' | 'clear' | 'keep';
  /**
   * A client's edit of the record's fields: a merge takes its say over a field from what
   * its client submitted (won or lost), not only from what its patch changed.
   */
  readonly edit: boolean;
  /** A reviewer's pick: the takes its patch made are picked values. */
  readonly pick: boolean;
}

/** Every event type this build knows (ARCHITECTURE.md, Events); `defined` and `removed` act on `_meta` records. */
export const EVENT_EFFECTS: { readonly [T in EventType]: EventEffect } = {
  created: { applies: true, deleted: 'clear', edit: false, pick: false },
  updated: { applies: true, deleted: 'keep', edit: true, pick: false },
  merged: { applies: true, deleted: 'keep', edit: true, pick: false },
  shelved: { applies: false, deleted: 'keep', edit: false, pick: false },
  lost_update: { applies: true, deleted: 'keep', edit: false, pick: false },
  deleted: { applies: true, deleted: 'set', edit: false, pick: false },
  restored: { applies: true, deleted: 'clear', edit: false, pick: false },
  resolved: { applies: true, deleted: 'keep', edit: false, pick: true },
  // A state machine's send_event: a named signal on the record's stream, changing nothing.
  signaled: { applies: false, deleted: 'keep', edit: false, pick: false },
  // A webhook action's call, for the webhooks service to deliver: changes nothing.
  webhook_requested: { applies: false, deleted: 'keep', edit: false, pick: false },
  defined: { applies: true, deleted: 'clear', edit: false, pick: false },
  removed: { applies: true, deleted: 'set', edit: false, pick: false },
};

/** A type this build does not know: readers only move the version on. */
export const UNKNOWN_EVENT_EFFECT: EventEffect = { applies: false, deleted: 'keep', edit: false, pick: false };

/** The effect of an event type; a type this build does not know has UNKNOWN_EVENT_EFFECT. */
export function effectOf(type: string): EventEffect {
  return Object.prototype.hasOwnProperty.call(EVENT_EFFECTS, type) ? EVENT_EFFECTS[type as EventType] : UNKNOWN_EVENT_EFFECT;
}

/** Whether a record is deleted after an event of this type, given whether it was before. */
export function deletedAfter(type: string, deleted: boolean): boolean {
  const effect = effectOf(type).deleted;
  return effect === 'keep' ? deleted : effect === 'set';
}
