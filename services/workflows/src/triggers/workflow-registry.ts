import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@takes/contracts';
import { parseWorkflow, type WorkflowDefinition } from '@takes/workflows';
import { LOGGER } from '../tokens';

/** A workflow in force: its definition, the version of its `_meta` record, and when it was first defined. */
export interface KnownWorkflow {
  definition: WorkflowDefinition;
  version: number;
  definedAt: number;
}

/** One read of an app's workflows: the store's last position when it began (known first), then the workflows. */
interface AppRead {
  /** Every definition committed at or before this position is in `workflows`. */
  upTo: Promise<number>;
  workflows: Promise<KnownWorkflow[]>;
}

/**
 * Each app's workflows, read from the event store's `_meta` records. A trigger asks for
 * the workflows as of an event's position: when the last read began before that position,
 * the app is read again first, so a workflow defined just before an event is never missed
 * (a replica needs no metadata events of its own for that). Events that arrive while a
 * read is under way share it when it covers them, so a burst of events costs one read.
 */
@Injectable()
export class WorkflowRegistry {
  private readonly apps = new Map<string, AppRead>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The app's active workflows that were defined before the event at `position` (committed at `commitTs`). */
  async forEvent(app: string, position: number, commitTs: string): Promise<KnownWorkflow[]> {
    let read = this.apps.get(app);
    if (!read || (await read.upTo.catch(() => -1)) < position) {
      // Another event may have started a newer read meanwhile.
      const latest = this.apps.get(app);
      read = latest && latest !== read && (await latest.upTo.catch(() => -1)) >= position ? latest : this.read(app);
    }
    const at = Date.parse(commitTs);
    return (await read.workflows).filter((w) => w.definition.active && w.definedAt < at);
  }

  private read(app: string): AppRead {
    const upTo = this.store.lastPosition();
    const workflows = upTo.then(async () => this.parse(app, await this.store.readMeta({ app })));
    const read: AppRead = { upTo, workflows };
    this.apps.set(app, read);
    // A failed read is forgotten, so the next event reads again.
    workflows.catch(() => {
      if (this.apps.get(app) === read) this.apps.delete(app);
    });
    return read;
  }

  private parse(app: string, items: Awaited<ReturnType<EventStore['readMeta']>>): KnownWorkflow[] {
    const workflows: KnownWorkflow[] = [];
    for (const item of items) {
      if (!item.key.startsWith('workflow:') || item.removed) continue;
      const parsed = parseWorkflow(item.definition);
      if (!parsed.ok) {
        this.log.warn({ app, key: item.key, details: parsed.details }, 'stored workflow does not parse; skipped');
        continue;
      }
      workflows.push({ definition: parsed.value, version: item.version, definedAt: Date.parse(item.created_at) });
    }
    return workflows;
  }
}
