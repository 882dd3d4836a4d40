import { applyPatch, deepClone } from 'fast-json-patch';
import type { PatchOperation, TakesEvent } from '@takes/contracts';

/** A record as its stream's events leave it. */
export interface RecordState {
  version: number;
  state: Record<string, unknown>;
  deleted: boolean;
}

export function initialState(): RecordState {
  return { version: 0, state: {}, deleted: false };
}

/** Applies server-made patch operations to a copy of a document. */
export function applyOperations(doc: Record<string, unknown>, ops: PatchOperation[]): Record<string, unknown> {
  if (ops.length === 0) return doc;
  return applyPatch(deepClone(doc), ops as never, false, true).newDocument as Record<string, unknown>;
}

/**
 * evolve(state, event) → state: folds one event into a record. Types this build does
 * not know only move the version on, so old readers survive new event types.
 */
export function evolve(current: RecordState, event: Pick<TakesEvent, 'type' | 'version' | 'patch'>): RecordState {
  switch (event.type) {
    case 'created':
      return { version: event.version, state: applyOperations({}, event.patch), deleted: false };
    case 'updated':
    case 'merged':
    case 'resolved':
    case 'lost_update':
      return { ...current, version: event.version, state: applyOperations(current.state, event.patch) };
    case 'deleted':
      return { version: event.version, state: applyOperations(current.state, event.patch), deleted: true };
    case 'restored':
    case 'defined':
      return { version: event.version, state: applyOperations(current.state, event.patch), deleted: false };
    case 'removed':
      return { version: event.version, state: applyOperations(current.state, event.patch), deleted: true };
    case 'shelved':
    default:
      return { ...current, version: event.version };
  }
}

/** Replays a stream's events from the start (or from a snapshot) to its state. */
export function replay(events: Pick<TakesEvent, 'type' | 'version' | 'patch'>[], from: RecordState = initialState()): RecordState {
  return events.reduce(evolve, from);
}
