export { evolve, replay, initialState, applyOperations, type RecordState } from './record-state';
export {
  decideAppend,
  DEFAULT_LIMITS,
  META_ENTITY,
  type Decision,
  type AppendDecision,
  type DecideLimits,
  type PendingEvent,
  type StreamHead,
} from './decide-append';
export { nextCommitTs, stampTimes, type StampedTimes } from './timestamps';
export { canonicalJson, commandFingerprint, requestFingerprint } from './command-fingerprint';
export { uniqueValuesOf, uniqueChanges, type UniqueValue } from './unique-values';
export { decideStale, shelve, type StaleContext } from './decide-stale';
