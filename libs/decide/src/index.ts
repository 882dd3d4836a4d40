export { evolve, replay, initialState, applyOperations, type RecordState } from './record-state';
export {
  DEFAULT_LIMITS,
  META_ENTITY,
  type Decision,
  type AppendDecision,
  type DecideLimits,
  type PendingEvent,
  type StreamHead,
} from './decision';
export { decideRecord, isStaleEdit, settleUniqueValues, type RecordInput } from './decide-record';
export { decideMeta, type MetaInput } from './decide-meta';
export { checkRecord, fieldValidation, DELETE_CHECKS, RECORD_CHECKS, type RecordCheck, type RecordCheckContext, type RecordCheckResult } from './record-checks';
export { partsOf, partsProblem, nestedPartDecision } from './nested-write';
export { actionCreateParts, actionPartDecision, actionRecordKey } from './action-records';
export { BRANCH_CLOCK_ALLOWANCE_MS, branchTimeProblem, nextCommitTs, stampTimes, type StampedTimes } from './timestamps';
export { canonicalJson, commandFingerprint, requestFingerprint } from './command-fingerprint';
export { uniqueValuesOf, uniqueChanges, type UniqueValue } from './unique-values';
export type { StaleContext } from './decide-stale';
export { computedFields, deleteRuleCheck, numericView, ruleCheck } from './rule-checks';
export { stateMachineCheck } from './state-machine-check';
export { actionOf, roleRefusal, writeAccess, writeConditions } from './permission-checks';
export { MAX_RELATED_ROWS, meetsRelatedFilter, relatedLookups, relatedView, type RelatedLookup } from './related-loads';
export { managedFields, keyRefusal, managedRefusal } from './managed-fields';
export { pickRefusal } from './record-pick';
