import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, TakesError, type EventStore, type MetaItemView } from '@takes/contracts';
import { metaKey, metaKind, type MetaKind } from '@takes/metadata';
import { actorOf, type Principal } from '../http/request-context';
import { MetadataService } from '../metadata/metadata.service';
import { ReadYourWrites } from '../reads/read-your-writes';
import { uuidv7 } from '@takes/ids';

/** Kinds whose records have a server-made id (Rocket's `/_admin/rules/:id`), not a name. */
export const ID_KINDS: ReadonlySet<MetaKind> = new Set<MetaKind>(['rule', 'state_machine', 'permission', 'webhook', 'workflow']);

/** A rule or state machine as Rocket's admin API shows it: the stored definition without the registry's `name`. */
function idRecord(definition: Record<string, unknown>): Record<string, unknown> {
  const { name: _name, title, ...rest } = definition;
  // A workflow keeps Rocket's own name as `title` (the registry's name is its id).
  return title === undefined ? rest : { ...rest, name: title };
}

/** Rocket's list/get row for an entity or relation; for a rule or state machine, its fields and times. */
export function metaRow(item: MetaItemView) {
  const kind = item.key.slice(0, item.key.indexOf(':')) as MetaKind;
  if (ID_KINDS.has(kind)) return { ...idRecord(item.definition as Record<string, unknown>), created_at: item.created_at, updated_at: item.updated_at };
  const definition = item.definition as { name: string; table?: string };
  return {
    name: definition.name,
    ...(item.key.startsWith('entity:') ? { table_name: definition.table ?? definition.name } : {}),
    definition,
    version: item.version,
    created_at: item.created_at,
    updated_at: item.updated_at,
  };
}

/**
 * Entity and relation metadata, kept as `_meta` records in the event store: each change
 * is a `defined` or `removed` event. The gateway answers only once its own registry
 * holds the change, so the very next request sees it.
 */
@Injectable()
export class MetaAdminService {
  constructor(
    private readonly metadata: MetadataService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly consistency: ReadYourWrites,
  ) {}

  list(app: string, kind: MetaKind) {
    return this.metadata.itemsOf(app, kind).map(metaRow);
  }

  /** Whether `<kind>:<name>` is defined (and not removed). */
  exists(app: string, kind: MetaKind, name: string): boolean {
    const item = this.metadata.item(app, metaKey(kind, name));
    return item !== undefined && !item.removed;
  }

  get(app: string, kind: MetaKind, name: string) {
    const item = this.metadata.item(app, metaKey(kind, name));
    if (!item || item.removed) throw new TakesError(kind === 'entity' ? 'UNKNOWN_ENTITY' : 'NOT_FOUND', `unknown ${kind} ${name}`);
    return metaRow(item);
  }

  /** Refuses a definition as define would before anything is appended (VALIDATION_FAILED, CONFLICT). */
  check(app: string, kind: MetaKind, input: unknown): void {
    const admission = metaKind(kind).admissionProblems?.(input) ?? [];
    const parsed = metaKind(kind).parse(input, this.metadata.metadata(app));
    if (!parsed.ok || admission.length > 0) throw new TakesError('VALIDATION_FAILED', `invalid ${kind} definition`, [...admission, ...(parsed.ok ? [] : parsed.details)]);
    const problems = metaKind(kind).changeProblems(parsed.value as never, this.metadata.metaState(app));
    if (problems.length > 0) throw new TakesError('VALIDATION_FAILED', `invalid ${kind} change`, problems);
  }

  /**
   * POST (no pathName) or PUT (pathName) of a definition. A rule or state machine gets
   * its id from the server on POST (newId when the caller made it first, as a webhook's
   * secret is issued for its id before it is defined), and keeps the path's on PUT.
   */
  async define(app: string, kind: MetaKind, body: unknown, principal: Principal, traceparent: string, pathName?: string, newId?: string) {
    const input = ID_KINDS.has(kind) && body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, id: pathName ?? newId ?? uuidv7() } : body;
    const admission = metaKind(kind).admissionProblems?.(input) ?? [];
    const parsed = metaKind(kind).parse(input, this.metadata.metadata(app));
    if (!parsed.ok || admission.length > 0) {
      throw new TakesError('VALIDATION_FAILED', `invalid ${kind} definition`, [...admission, ...(parsed.ok ? [] : parsed.details)]);
    }
    const definition = parsed.value;
    if (pathName !== undefined && definition.name !== pathName) {
      throw new TakesError('VALIDATION_FAILED', `invalid ${kind} definition`, [{ field: 'name', rule: 'immutable', message: `the name must stay ${pathName}` }]);
    }
    const key = metaKey(kind, definition.name);
    const existing = this.metadata.item(app, key);
    const live = existing && !existing.removed;
    if (pathName === undefined && live) throw new TakesError('CONFLICT', `${kind} ${definition.name} already exists`);
    if (pathName !== undefined && !live) throw new TakesError(kind === 'entity' ? 'UNKNOWN_ENTITY' : 'NOT_FOUND', `unknown ${kind} ${pathName}`);
    // The kind's change checks (the event store's decide asks the same).
    const problems = metaKind(kind).changeProblems(definition as never, this.metadata.metaState(app));
    if (problems.length > 0) throw new TakesError('VALIDATION_FAILED', `invalid ${kind} change`, problems);
    const result = await this.appendMeta(app, key, 'define', existing?.version ?? 0, principal, traceparent, parsed.value as unknown as Record<string, unknown>);
    const now = result.commit_ts;
    // Answer once the read tables follow the new definition too (the projector made or
    // altered the table), so the next list of this entity works. The definition is stored
    // either way: with the projector down, this answers after the read-wait bound.
    await this.consistency.waitFor(result.position).catch((error: unknown) => {
      if (!(error instanceof TakesError && error.code === 'UNAVAILABLE')) throw error;
    });
    this.metadata.apply({
      app,
      key,
      definition: result.record,
      removed: false,
      version: result.version,
      position: result.position,
      created_at: existing?.created_at && !existing.removed ? existing.created_at : now,
      updated_at: now,
    });
    return ID_KINDS.has(kind) ? idRecord(result.record) : result.record;
  }

  async remove(app: string, kind: MetaKind, name: string, principal: Principal, traceparent: string): Promise<void> {
    const key = metaKey(kind, name);
    const existing = this.metadata.item(app, key);
    if (!existing || existing.removed) throw new TakesError(kind === 'entity' ? 'UNKNOWN_ENTITY' : 'NOT_FOUND', `unknown ${kind} ${name}`);
    const result = await this.appendMeta(app, key, 'remove', existing.version, principal, traceparent);
    this.metadata.apply({ ...existing, removed: true, version: result.version, position: result.position, updated_at: result.commit_ts });
  }

  /** A `_meta` command (define or remove one item, at the version it was read) to the event store. */
  private appendMeta(app: string, key: string, op: 'define' | 'remove', baseVersion: number, principal: Principal, traceparent: string, data?: Record<string, unknown>) {
    return this.store.append(
      {
        v: 1,
        command_id: uuidv7(),
        app,
        entity: '_meta',
        entity_id: key,
        op,
        base_version: baseVersion,
        ...(data ? { data } : {}),
        user: actorOf(principal),
      },
      { traceparent },
    );
  }
}
