import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, TakesError, WEBHOOKS, applyOperations, type AppendCommand, type EventStore, type Webhooks } from '@takes/contracts';
import { webhooksOf } from '@takes/metadata';
import { DEFAULT_SYNC_TIMEOUT_MS, MAX_SYNC_TIMEOUT_MS, syncHookPayload, webhookMatches } from '@takes/webhooks';
import { MetadataService } from '../metadata/metadata.service';

type JsonRecord = Record<string, unknown>;

/**
 * Sync hooks (before_write, before_delete): called here, in the gateway, with the record
 * as it would be written (the head state read from the store, with the edit applied),
 * before the command is sent. Nothing holds a lock while a hook answers: the event store
 * opens its append transaction only once the command arrives, and its group commit never
 * waits on an outside server. A non-2xx answer, a timeout or a refused address refuses
 * the write (422, the hook's message); nothing is appended.
 */
@Injectable()
export class SyncHooks {
  constructor(
    private readonly metadata: MetadataService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(WEBHOOKS) private readonly webhooks: Webhooks,
  ) {}

  async check(command: AppendCommand, traceparent: string): Promise<void> {
    const hook = command.op === 'delete' ? 'before_delete' : 'before_write';
    const hooks = webhooksOf(this.metadata.metadata(command.app), command.entity, hook).filter((w) => w.active);
    if (hooks.length === 0) return;
    const old = command.op === 'create' ? null : await this.head(command);
    const record = this.wouldBe(command, old);
    if (record === undefined) return; // a patch that does not apply: the store refuses it
    const payload = syncHookPayload(hook, command.entity, old, record, command.user ?? null, command.command_id, new Date());
    for (const webhook of hooks) {
      const matched = webhookMatches(webhook, command.entity, hook, { record, old, action: payload.action, user: command.user ?? null });
      if (!matched.match) continue;
      const timeout = Math.min(webhook.timeout ?? DEFAULT_SYNC_TIMEOUT_MS, MAX_SYNC_TIMEOUT_MS);
      const verdict = await this.webhooks.call(
        { app: command.app, webhook_id: webhook.id, command_id: command.command_id, url: webhook.url, method: webhook.method, headers: { ...webhook.headers }, timeout_ms: timeout, payload: payload as unknown as JsonRecord },
        { traceparent },
      );
      if (!verdict.allowed) {
        throw new TakesError('VALIDATION_FAILED', verdict.message || `refused by webhook ${webhook.id}`, [{ rule: 'webhook', webhook_id: webhook.id, message: verdict.message, status: verdict.status }]);
      }
    }
  }

  /** The record's head state; null when it has none yet. */
  private async head(command: AppendCommand): Promise<JsonRecord | null> {
    try {
      return (await this.store.head({ app: command.app, entity: command.entity, entity_id: command.entity_id })).state;
    } catch (error) {
      if (error instanceof TakesError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** The record as the edit would leave it: the values given over the head (put), the patch applied, the head for delete and restore. */
  private wouldBe(command: AppendCommand, old: JsonRecord | null): JsonRecord | null | undefined {
    switch (command.op) {
      case 'create':
        return { ...(command.data as JsonRecord) };
      case 'put':
        return { ...(old ?? {}), ...(command.data as JsonRecord) };
      case 'patch':
        try {
          return applyOperations(old ?? {}, command.patch ?? []);
        } catch {
          return undefined;
        }
      default:
        return old;
    }
  }
}
