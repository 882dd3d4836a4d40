import type { ConflictsRequest } from './conflicts';
import type { WorkflowsRequest } from './workflows';
import type { ReadModel } from './watermark';

/**
 * NATS subjects. Every subject may carry a prefix before its first token (tests give each
 * suite its own, e.g. `t3f9.`), so several deployments or suites share one NATS server
 * without their streams overlapping.
 *
 * A handler's `@MessagePattern` takes the subject without the prefix (`subjects().rebuild()`):
 * the RPC server puts the deployment's prefix in front.
 */

/** App names, as in Rocket: `^[a-z][a-z0-9_-]{0,62}$`. */
export const APP_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
/**
 * Entity names: `_?[a-z][a-z0-9_]*` (Rocket accepts a leading `_`; libs/metadata refuses
 * the names Takes reserves), `_meta` for metadata among them; `_link_<relation>` for the
 * links of a many_to_many relation (one record per linked pair, projected into its join table).
 */
export const ENTITY_NAME = /^(?:_?[a-z][a-z0-9_]{0,62}|_link__?[a-z][a-z0-9_]{0,62})$/;

export interface Subjects {
  /** `cmd.<app>.<entity>`: commands for one entity, served by the event store. */
  command(app: string, entity: string): string;
  /** The wildcard the event store subscribes to for commands. */
  commandWildcard(): string;
  /** `store.read.<what>`: reads served by the event store. */
  storeRead(what: StoreRead): string;
  /** `evt.<app>.<entity>.<type>`: where an event is published. */
  event(app: string, entity: string, type: string): string;
  /** `evt.>`: everything the EVENTS stream holds. */
  eventWildcard(): string;
  /** `evt.*._meta.>`: metadata changes of every app. */
  metaEvents(): string;
  /** `parked.<consumer>`: where a consumer that parks puts messages it gave up on. */
  parked(consumer: string): string;
  /** `conflicts.<what>`: requests served by the conflicts service (queue group conflicts). */
  conflicts(what: ConflictsRequest): string;
  /** `workflows.<what>`: requests served by the workflows service (queue group workflows). */
  workflows(what: WorkflowsRequest): string;
  /** `projector.rebuild`: start a rebuild, served by the projector. */
  rebuild(): string;
  /** `projector.rebuild.status`: a rebuild's status, served by the projector. */
  rebuildStatus(): string;
  /** `watermark.<read_model>`: a read model's watermark, served by the service that owns it. */
  watermark(readModel: ReadModel): string;
}

export type StoreRead = 'stream' | 'state' | 'all' | 'head' | 'meta' | 'position' | 'command';

export function subjects(prefix = ''): Subjects {
  if (prefix !== '' && !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.$/.test(prefix)) {
    throw new Error(`subject prefix must be tokens ending in a dot, got "${prefix}"`);
  }
  return {
    command: (app, entity) => `${prefix}cmd.${app}.${entity}`,
    commandWildcard: () => `${prefix}cmd.*.*`,
    storeRead: (what) => `${prefix}store.read.${what}`,
    event: (app, entity, type) => `${prefix}evt.${app}.${entity}.${type}`,
    eventWildcard: () => `${prefix}evt.>`,
    metaEvents: () => `${prefix}evt.*._meta.>`,
    parked: (consumer) => `${prefix}parked.${consumer}`,
    conflicts: (what) => `${prefix}conflicts.${what}`,
    workflows: (what) => `${prefix}workflows.${what}`,
    rebuild: () => `${prefix}projector.rebuild`,
    rebuildStatus: () => `${prefix}projector.rebuild.status`,
    watermark: (readModel) => `${prefix}watermark.${readModel}`,
  };
}

/** Headers the relay sets on every published event. */
export const Header = {
  MSG_ID: 'Nats-Msg-Id',
  POSITION: 'Takes-Position',
  /**
   * On an event: the position of its app's latest metadata change (`_meta` event) at or
   * before it, or a later one, never an earlier one. A reader that knows the app's
   * metadata up to this position knows it as of the event, without asking the store.
   */
  META_POSITION: 'Takes-Meta-Position',
  TRACEPARENT: 'traceparent',
} as const;
