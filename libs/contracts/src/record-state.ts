import { applyPatch, deepClone } from 'fast-json-patch';
import type { PatchOperation, TakesEvent } from './event';
import { deletedAfter, effectOf } from './event-effect';

/** A record as its stream's events leave it. */
export interface RecordState {
  version: number;
  state: Record<string, unknown>;
  deleted: boolean;
}

/** What evolve reads of an event. */
export type EvolvingEvent = Pick<TakesEvent, 'type' | 'version' | 'patch'>;

/** Applies an event's (server-made) patch to a state, leaving the state it was given as it was. */
export type PatchApplier = (doc: Record<string, unknown>, ops: PatchOperation[]) => Record<string, unknown>;

export function initialState(): RecordState {
  return { version: 0, state: {}, deleted: false };
}

/** Applies server-made patch operations to a copy of a document. */
export function applyOperations(doc: Record<string, unknown>, ops: PatchOperation[]): Record<string, unknown> {
  if (ops.length === 0) return doc;
  return applyPatch(deepClone(doc), ops as never, false, true).newDocument as Record<string, unknown>;
}

/**
 * evolve built on another way of applying patches (the merge's, which shares the parts
 * of a document a patch did not touch with the version before). What each type does
 * comes from EVENT_EFFECTS either way.
 */
export function evolveWith(apply: PatchApplier): (current: RecordState, event: EvolvingEvent) => RecordState {
  return (current, event) => ({
    version: event.version,
    state: effectOf(event.type).applies ? apply(current.state, event.patch) : current.state,
    deleted: deletedAfter(event.type, current.deleted),
  });
}

/**
 * evolve(state, event) → state: folds one event into a record as EVENT_EFFECTS says.
 * Types this build does not know only move the version on, so old readers survive new
 * event types.
 */
export const evolve: (current: RecordState, event: EvolvingEvent) => RecordState = evolveWith(applyOperations);

/** Replays a stream's events from the start (or from a snapshot) to its state. */
export function replay(events: EvolvingEvent[], from: RecordState = initialState()): RecordState {
  return events.reduce(evolve, from);
}
