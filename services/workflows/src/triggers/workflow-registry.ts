import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore, type MetaItemView } from '@takes/contracts';
import { parseWorkflow, type WorkflowDefinition } from '@takes/workflows';
import { LOGGER } from '../tokens';

/** A workflow in force: its definition, the version of its `_meta` record, and when it was first defined. */
export interface KnownWorkflow {
  definition: WorkflowDefinition;
  version: number;
  definedAt: number;
}

/** What a replica knows of an app's workflows: every definition committed at or before `upTo`, by key. */
interface AppView {
  upTo: number;
  workflows: Map<string, KnownWorkflow>;
}

const WORKFLOW_KEYS = 'workflow:';

/**
 * Each app's workflows, read from the event store's `_meta` records. A trigger asks for
 * the workflows as of an event: when what the replica knows stops before the event's
 * meta position (its Takes-Meta-Position header: the app's latest metadata change at or
 * before it), or before the event itself when it has none, the replica asks the store for
 * the workflow records written since (usually none), in one read that also says up to
 * where it covers. So a workflow defined just before an event is never missed (a replica
 * needs no metadata events of its own for that), and while the app's metadata does not
 * change, events cost no read at all. Events that arrive while a read is under way share
 * it when it covers them.
 */
@Injectable()
export class WorkflowRegistry {
  private readonly apps = new Map<string, Promise<AppView>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * The app's active workflows that were defined before the event at `position`
   * (committed at `commitTs`); `metaPosition` is the event's Takes-Meta-Position.
   */
  async forEvent(app: string, position: number, commitTs: string, metaPosition?: number): Promise<KnownWorkflow[]> {
    const needed = metaPosition ?? position;
    let read = this.apps.get(app) ?? this.read(app, undefined);
    let view = await read;
    while (view.upTo < needed) {
      // Another event may have started a newer read meanwhile: share it.
      const latest = this.apps.get(app);
      read = latest && latest !== read ? latest : this.read(app, view);
      view = await read;
    }
    const at = Date.parse(commitTs);
    return [...view.workflows.values()].filter((w) => w.definition.active && w.definedAt < at);
  }

  /** Reads what changed since `known` (everything when there is nothing known yet). */
  private read(app: string, known: AppView | undefined): Promise<AppView> {
    const read = this.store
      .readMetaAt({ app, key_prefix: WORKFLOW_KEYS, ...(known ? { changed_after: known.upTo } : {}) })
      .then(({ items, position }) => ({ upTo: Math.max(position, known?.upTo ?? 0), workflows: this.merge(app, known?.workflows, items) }));
    this.apps.set(app, read);
    // A failed read is forgotten (what was known before stays), so the next event reads again.
    read.catch(() => {
      if (this.apps.get(app) !== read) return;
      if (known) this.apps.set(app, Promise.resolve(known));
      else this.apps.delete(app);
    });
    return read;
  }

  private merge(app: string, known: Map<string, KnownWorkflow> | undefined, items: MetaItemView[]): Map<string, KnownWorkflow> {
    const workflows = new Map(known);
    for (const item of items) {
      workflows.delete(item.key);
      if (item.removed) continue;
      const parsed = parseWorkflow(item.definition);
      if (!parsed.ok) {
        this.log.warn({ app, key: item.key, details: parsed.details }, 'stored workflow does not parse; skipped');
        continue;
      }
      workflows.set(item.key, { definition: parsed.value, version: item.version, definedAt: Date.parse(item.created_at) });
    }
    return workflows;
  }
}
