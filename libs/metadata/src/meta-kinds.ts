import type { ErrorDetail } from '@takes/contracts';
import type { AppMetadata } from './app-metadata';
import { entityChanges } from './entity-changes';
import { removedFieldProblems } from './field-uses';
import { entityAdmissionProblems, parseEntityDefinition, type EntityDefinition } from './entity-definition';
import type { Parsed } from './parsed';
import { parseStoredPermission, permissionProblems } from './permission-kind';
import type { Permission } from '@takes/permissions';
import { parseRelationDefinition, type RelationDefinition } from './relation-definition';
import { compiledRule, parseStoredRule, ruleProblems, type StoredRule } from './rule-kind';
import { compiledStateMachine, parseStoredStateMachine, stateMachineProblems, type StoredStateMachine } from './state-machine-kind';
import { linkShapeChanges, tableConflict, tableOwners } from './table-names';
import { parseStoredWebhook, webhookProblems } from './webhook-kind';
import { webhookAdmissionProblems, type WebhookDefinition } from '@takes/webhooks';
import { parseStoredWorkflow, workflowProblems } from './workflow-kind';
import type { WorkflowDefinition } from '@takes/workflows';

/** One `_meta` record as the store holds it: entity_id `<kind>:<name>`, its state, whether it was removed. */
export interface MetaItem {
  readonly key: string;
  readonly definition: Record<string, unknown>;
  readonly removed: boolean;
}

/** One app's `_meta` records (removed ones included: their tables stay) and the definitions in force they make. */
export interface MetaState {
  /** Every `_meta` record of the app by key, removed ones included. */
  readonly items: ReadonlyMap<string, MetaItem>;
  /** The definitions in force, parsed (see applyMetaChange). */
  readonly metadata: AppMetadata;
}

/**
 * What one kind of metadata declares, in one place. Its schema is `T`, the definition
 * its parse returns (the parse is the check of that schema, every problem at once).
 */
export interface MetaKindDefinition<T extends { readonly name: string }> {
  /**
   * Reads a definition as the admin API takes it (Rocket's JSON), normalized, against the
   * app's definitions in force (a relation's source and target must exist).
   */
  parse(input: unknown, metadata: AppMetadata): Parsed<T>;
  /**
   * What a definition sent now must pass besides parse, which stays lenient for the
   * definitions stored before these checks (replaying them must not drop them): unknown
   * properties, contradictory settings. Absent: nothing more.
   */
  admissionProblems?(input: unknown): ErrorDetail[];
  /**
   * Why `next` cannot be stored as `<kind>:<next.name>` in this app as it stands (a new
   * definition, a redefinition, or one defined again after its removal): every problem,
   * empty when it can. The gateway and the event store's decide both ask this.
   */
  changeProblems(next: T, app: MetaState): ErrorDetail[];
  /** The app's definitions with `definition` in force (an immutable update). */
  put(metadata: AppMetadata, definition: T): AppMetadata;
  /** The app's definitions once `<kind>:<name>` is removed (an immutable update). */
  drop(metadata: AppMetadata, name: string): AppMetadata;
}

function without<V>(map: ReadonlyMap<string, V>, key: string): Map<string, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

/** Entities: Rocket's entity definitions plus Takes' history, merge_policy and stale_write. */
const entityKind: MetaKindDefinition<EntityDefinition> = {
  parse: (input) => parseEntityDefinition(input),
  admissionProblems: (input) => entityAdmissionProblems(input),
  changeProblems(next, app) {
    const key = `entity:${next.name}`;
    const live = app.items.get(key)?.removed === false ? app.metadata.entities.get(next.name) : undefined;
    const changes = live ? entityChanges(live, next) : null;
    // One table per entity and per many_to_many relation in the read schema.
    const clash = tableConflict(tableOwners([...app.items.values()]), 'entity', next.name, next.table);
    // A field a rule, state machine, permission or relation still names stays.
    const inUse = changes?.ok ? removedFieldProblems(app.metadata, next.name, changes.value.removed) : [];
    return [...(changes && !changes.ok ? changes.details : []), ...inUse, ...(clash ? [clash] : [])];
  },
  put: (metadata, definition) => ({ ...metadata, entities: new Map(metadata.entities).set(definition.name, definition) }),
  // Rocket removes the relations that start or end at an entity with it.
  drop: (metadata, name) => ({
    ...metadata,
    entities: without(metadata.entities, name),
    relations: new Map([...metadata.relations].filter(([, r]) => r.source !== name && r.target !== name)),
  }),
};

/** Relations between two entities (one_to_one, one_to_many, many_to_many). */
const relationKind: MetaKindDefinition<RelationDefinition> = {
  parse: (input, metadata) => parseRelationDefinition(input, metadata.entities),
  changeProblems(next, app) {
    const previous = app.items.get(`relation:${next.name}`);
    const clash = next.type === 'many_to_many' && next.join_table !== undefined
      ? tableConflict(tableOwners([...app.items.values()]), 'relation', next.name, next.join_table)
      : null;
    // A many_to_many keeps the shape its link records were written in, removed or not.
    return [...(clash ? [clash] : []), ...linkShapeChanges(previous?.definition, next as unknown as Record<string, unknown>)];
  },
  put: (metadata, definition) => ({ ...metadata, relations: new Map(metadata.relations).set(definition.name, definition) }),
  drop: (metadata, name) => ({ ...metadata, relations: without(metadata.relations, name) }),
};

/** Rocket's validation rules and computed fields (`rule:<id>`), run by the store's decide. */
const ruleKind: MetaKindDefinition<StoredRule> = {
  parse: (input) => parseStoredRule(input),
  changeProblems: (next, app) => ruleProblems(next, app.metadata),
  put(metadata, definition) {
    const rule = compiledRule(definition);
    return rule ? { ...metadata, rules: new Map(metadata.rules).set(definition.name, rule) } : metadata;
  },
  drop: (metadata, name) => ({ ...metadata, rules: without(metadata.rules, name) }),
};

/** Rocket's state machines on a field of an entity (`state_machine:<id>`), run by the store's decide. */
const stateMachineKind: MetaKindDefinition<StoredStateMachine> = {
  parse: (input) => parseStoredStateMachine(input),
  changeProblems: (next, app) => stateMachineProblems(next, app.metadata),
  put(metadata, definition) {
    const machine = compiledStateMachine(definition);
    return machine ? { ...metadata, stateMachines: new Map(metadata.stateMachines).set(definition.name, machine) } : metadata;
  },
  drop: (metadata, name) => ({ ...metadata, stateMachines: without(metadata.stateMachines, name) }),
};

/** Rocket's permission rows (`permission:<id>`): the event store's decide checks writes, the gateway filters reads. */
const permissionKind: MetaKindDefinition<Permission> = {
  parse: (input) => parseStoredPermission(input),
  changeProblems: (next, app) => permissionProblems(next, app.metadata),
  put: (metadata, definition) => ({ ...metadata, permissions: new Map(metadata.permissions).set(definition.name, definition) }),
  drop: (metadata, name) => ({ ...metadata, permissions: without(metadata.permissions, name) }),
};

/** Outgoing webhooks (`webhook:<id>`): delivered by the webhooks service, before_* hooks called by the gateway. Secrets are not here. */
const webhookKind: MetaKindDefinition<WebhookDefinition> = {
  parse: (input) => parseStoredWebhook(input),
  admissionProblems: (input) => webhookAdmissionProblems(input),
  changeProblems: (next, app) => webhookProblems(next, app.metadata),
  put: (metadata, definition) => ({ ...metadata, webhooks: new Map(metadata.webhooks ?? []).set(definition.name, definition) }),
  drop: (metadata, name) => ({ ...metadata, webhooks: without(metadata.webhooks ?? new Map(), name) }),
};

/**
 * Rocket's workflows (`workflow:<id>`), run by the workflows service, which reads them from
 * their `_meta` records itself: nothing else acts on them, so they sit in no AppMetadata map.
 */
const workflowKind: MetaKindDefinition<WorkflowDefinition> = {
  parse: (input) => parseStoredWorkflow(input),
  changeProblems: (next, app) => workflowProblems(next, app.metadata),
  put: (metadata) => metadata,
  drop: (metadata) => metadata,
};

/**
 * The registry of metadata kinds: a `_meta` record `<kind>:<name>` is read, checked and
 * folded by its kind's definition here, by every service (the gateway's admin API, the
 * event store's decide, each service's registry). Adding a kind (rule, state_machine,
 * workflow, permission, webhook, ui_config) is one entry here: its parse, its change
 * checks, and where its definitions sit in AppMetadata. A kind not listed here is
 * stored as sent and skipped by readers (a newer build's).
 */
export const META_KIND_DEFINITIONS = {
  entity: entityKind,
  relation: relationKind,
  rule: ruleKind,
  state_machine: stateMachineKind,
  permission: permissionKind,
  webhook: webhookKind,
  workflow: workflowKind,
} as const;

/** The kinds of `_meta` records this build reads: the `<kind>` of entity_id `<kind>:<name>`. */
export type MetaKind = keyof typeof META_KIND_DEFINITIONS;
export const META_KINDS = Object.keys(META_KIND_DEFINITIONS) as MetaKind[];

/** The definition a kind's parse returns. */
export type MetaDefinition<K extends MetaKind> = (typeof META_KIND_DEFINITIONS)[K] extends MetaKindDefinition<infer T> ? T : never;

export function isMetaKind(kind: string): kind is MetaKind {
  return Object.prototype.hasOwnProperty.call(META_KIND_DEFINITIONS, kind);
}

/** The kind's definition in the registry. */
export function metaKind<K extends MetaKind>(kind: K): MetaKindDefinition<MetaDefinition<K>> {
  return META_KIND_DEFINITIONS[kind] as unknown as MetaKindDefinition<MetaDefinition<K>>;
}

/** The `_meta` entity_id of a definition: `entity:<name>`, `relation:<name>`. */
export function metaKey(kind: MetaKind, name: string): string {
  return `${kind}:${name}`;
}

/** A `_meta` entity_id split at its first colon; null when it is not `<kind>:<name>`. */
export function splitMetaKey(key: string): { kind: string; name: string } | null {
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) return null;
  return { kind: key.slice(0, colon), name: key.slice(colon + 1) };
}

/** What a define of one `_meta` record comes to: the definition to store, or why not. */
export type MetaDefineCheck =
  | { ok: true; definition: Record<string, unknown> }
  | { ok: false; message: string; details: ErrorDetail[] };

/**
 * A define of the `_meta` record `key` in this app: parsed by its kind, named as its
 * key, and passing its kind's change checks. What the event store's decide asks of every
 * define, however it arrived; the gateway asks the same through parse and changeProblems.
 * A kind this build does not know is stored as sent.
 */
export function checkMetaDefine(key: string, input: unknown, app: MetaState): MetaDefineCheck {
  const split = splitMetaKey(key);
  if (!split) return { ok: false, message: `${key} is not <kind>:<name>`, details: [{ field: 'entity_id', rule: 'pattern', message: 'a metadata key is <kind>:<name>' }] };
  if (!isMetaKind(split.kind)) return { ok: true, definition: (input ?? {}) as Record<string, unknown> };
  const kind = metaKind(split.kind);
  const admission = kind.admissionProblems?.(input) ?? [];
  const parsed = kind.parse(input, app.metadata);
  if (!parsed.ok || admission.length > 0) return { ok: false, message: `invalid ${split.kind} definition`, details: [...admission, ...(parsed.ok ? [] : parsed.details)] };
  if (parsed.value.name !== split.name) return { ok: false, message: `invalid ${split.kind} definition`, details: nameMismatch(key) };
  const problems = kind.changeProblems(parsed.value as never, app);
  if (problems.length > 0) return { ok: false, message: `invalid ${split.kind} change`, details: problems };
  return { ok: true, definition: parsed.value as unknown as Record<string, unknown> };
}

export function nameMismatch(key: string): ErrorDetail[] {
  return [{ field: 'name', rule: 'mismatch', message: `the definition's name is not the one of its key ${key}` }];
}
