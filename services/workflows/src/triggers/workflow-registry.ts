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

interface AppWorkflows {
  /** The store's last position when these were read: every definition made before it is here. */
  upTo: number;
  workflows: KnownWorkflow[];
}

/**
 * Each app's workflows, read from the event store's `_meta` records. A trigger asks for
 * the workflows as of an event's position: when this registry was read before that
 * position it reads the app again first, so a workflow defined just before an event is
 * never missed (a replica needs no metadata events of its own for that).
 */
@Injectable()
export class WorkflowRegistry {
  private readonly apps = new Map<string, Promise<AppWorkflows>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The app's active workflows that were defined before the event at `position` (committed at `commitTs`). */
  async forEvent(app: string, position: number, commitTs: string): Promise<KnownWorkflow[]> {
    let known = await this.apps.get(app);
    if (!known || known.upTo < position) {
      const loading = this.load(app);
      this.apps.set(app, loading);
      loading.catch(() => this.apps.delete(app));
      known = await loading;
    }
    const at = Date.parse(commitTs);
    return known.workflows.filter((w) => w.definition.active && w.definedAt < at);
  }

  private async load(app: string): Promise<AppWorkflows> {
    const upTo = await this.store.lastPosition();
    const items = await this.store.readMeta({ app });
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
    return { upTo, workflows };
  }
}
