// @takes/merge: the pure merge of a stale edit into a record ("unzipping time"), the
// overwrite of history-off entities, and per-field takes for /history. No I/O.
export {
  unzipTime,
  RECORD_CONTEST,
  RECORD_FIELD,
  isRecordContest,
  type UnzipInput,
  type UnzipDecision,
  type UnzippedEvent,
  type MergeOutcome,
} from './unzip-time';
export { type IncomingEdit, type PriorEvent, type RecordVersion, type EditOp, type EditedState } from './edit';
export { overwrite, type OverwriteResult } from './overwrite';
export { fieldTakes, type FieldHistory, type FieldTake, type FieldTakesOptions } from './field-takes';
export { contestParties, type ContestParties } from './contest-parties';
export { type SubmitOrder } from './submit-order';
export { eventGraph, graphSvg, type EventGraph, type GraphNode, type GraphEdge } from './event-graph';
export { fieldPointer, pickedValue } from './resolve-pick';
export { applyClientPatch } from './client-patch';
