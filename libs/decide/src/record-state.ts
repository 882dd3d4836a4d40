// A record's state and evolve live in @takes/contracts, beside the event types and the
// table of what each type does (EVENT_EFFECTS): libs/merge, which this lib imports, and
// a client library, which imports only contracts, fold events with the same evolve.
// decide re-exports them so that its callers do not change.
export { evolve, replay, initialState, applyOperations, type RecordState } from '@takes/contracts';
