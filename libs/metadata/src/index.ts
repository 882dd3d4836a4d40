// @takes/metadata: the registry of metadata kinds (meta-kinds.ts: each kind's parse and
// change checks), Rocket's entity, relation, rule and state machine definitions (plus Takes' history,
// merge_policy and stale_write), one app's metadata built from `_meta` changes, and the
// checks of record writes against an entity. Pure: no I/O.
export type { Parsed } from './parsed';
export { IDENTIFIER, IDENTIFIER_MAX_LENGTH, ROUTE_WORDS } from './identifiers';
export { recordKey } from './record-key';
export {
  FIELD_TYPES,
  DECIMAL_TOTAL_DIGITS,
  isFieldType,
  isJsonValue,
  autoValue,
  normalizeFieldValue,
  type FieldType,
  type FieldValueSpec,
  type ValueCheck,
} from './field-values';
export {
  AUTO_TIMESTAMPS,
  DEFAULT_PRIMARY_KEY,
  MERGE_POLICIES,
  PRIMARY_KEY_TYPES,
  SOFT_DELETE_FIELD,
  STALE_WRITES,
  entityAdmissionProblems,
  fieldOf,
  isManagedField,
  parseEntityDefinition,
  type AutoTimestamp,
  type EntityDefinition,
  type FieldDefinition,
  type MergePolicy,
  type PrimaryKeyDefinition,
  type PrimaryKeyType,
  type RemovedField,
  type SlugDefinition,
  type StaleWrite,
} from './entity-definition';
export { entityChanges, type EntityChanges } from './entity-changes';
export {
  FETCH_STRATEGIES,
  ON_DELETE_ACTIONS,
  OWNERSHIPS,
  RELATION_TYPES,
  WRITE_MODES,
  parseRelationDefinition,
  type FetchStrategy,
  type OnDelete,
  type Ownership,
  type RelationDefinition,
  type RelationType,
  type WriteMode,
} from './relation-definition';
export { applyMetaChange, emptyMetadata, relationsFrom, type AppMetadata, type MetaChange } from './app-metadata';
export {
  META_KINDS,
  META_KIND_DEFINITIONS,
  checkMetaDefine,
  isMetaKind,
  metaKey,
  metaKind,
  splitMetaKey,
  type MetaDefineCheck,
  type MetaDefinition,
  type MetaItem,
  type MetaKind,
  type MetaKindDefinition,
  type MetaState,
} from './meta-kinds';
export { metaStateOf, withMetaItem, type PositionedMetaItem } from './meta-state';
export { MetaStateCache } from './meta-state-cache';
export {
  normalizeRecordState,
  validateRecordState,
  validateRecordWrite,
  visibleRecord,
  type RecordOp,
  type RecordWriteCheck,
  type RecordWriteOptions,
} from './record-validation';
export {
  LINK_ENTITY_PREFIX,
  LINK_ID_FIELD,
  isLinkEntity,
  linkEntityDefinition,
  linkEntityName,
  linkId,
  linkState,
} from './link-entity';
export {
  MAX_NESTED_DEPTH,
  planNestedWrites,
  splitNestedBody,
  type NestedLookups,
  type NestedWrite,
  type RecordStanding,
  type SplitBody,
} from './nested-writes';
export { linkShapeChanges, tableConflict, tableOwners, type TableOwner } from './table-names';
export { META_ID, compiledRule, parseStoredRule, ruleProblems, rulesOf, type StoredRule } from './rule-kind';
export { compiledStateMachine, parseStoredStateMachine, stateMachineProblems, stateMachinesOf, type StoredStateMachine } from './state-machine-kind';
export { permissionProblems, permissionValue, permissionsOf } from './permission-kind';
export { parseStoredWebhook, webhookProblems, webhooksOf } from './webhook-kind';
export { parseStoredWorkflow, workflowProblems } from './workflow-kind';
export { actionSourceId, hasWebhookActions } from './webhook-actions';
