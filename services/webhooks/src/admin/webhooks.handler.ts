import { Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  EVENT_STORE,
  TakesError,
  assertMessage,
  webhooksRequestSchemas,
  webhooksSubject,
  type EventStore,
  type ReplayRequest,
  type RotateSecretRequest,
  type SecretReply,
  type SyncHookRequest,
  type SyncHookVerdict,
  type WebhookLogPage,
  type WebhookLogRef,
  type WebhookLogView,
  type WebhookLogsRequest,
  type WebhookRef,
} from '@takes/contracts';
import { RpcController } from '@takes/bus';
import { inTransaction, type Database } from '@takes/db';
import { newSecret } from '@takes/webhooks';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { DeliveryWorker } from '../delivery/delivery.worker';
import { reopenDeliveries } from '../intake/deliveries.table';
import { planBatch } from '../intake/delivery-plan';
import { endpointKey, loadEndpoints } from '../intake/endpoints.table';
import { DATABASE } from '../tokens';
import { getDelivery, listDeliveries, reopenDelivery } from './delivery-log.table';
import { insertSecret, rotateSecret, secretsOf } from './secrets.table';
import { callSyncHook } from './sync-hook-call';

const REPLAY_PAGE = 1_000;

/**
 * `webhooks.*` (the `Webhooks` port's server side): secrets (issued once, rotated with a
 * grace period), the delivery log, a manual retry, a replay. Each request is checked
 * against its schema in contracts.
 */
@RpcController()
export class WebhooksHandler {
  constructor(
    @Inject(DATABASE) private readonly database: Database<unknown>,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
    private readonly delivery: DeliveryWorker,
  ) {}

  @MessagePattern(webhooksSubject('secret_issue'))
  async issue(@Payload() body: unknown): Promise<SecretReply> {
    const request = assertMessage<WebhookRef>(webhooksRequestSchemas.secret_issue, body, 'secret request');
    const secret = newSecret();
    if (!(await insertSecret(this.database.pool, request.app, request.webhook_id, secret))) throw new TakesError('CONFLICT', `webhook ${request.webhook_id} already has a secret`);
    return { secret };
  }

  @MessagePattern(webhooksSubject('secret_rotate'))
  async rotate(@Payload() body: unknown): Promise<SecretReply> {
    const request = assertMessage<RotateSecretRequest>(webhooksRequestSchemas.secret_rotate, body, 'rotation request');
    const secret = newSecret();
    const graceMs = request.grace_seconds === undefined ? this.config.secretGraceMs : request.grace_seconds * 1000;
    const rotated = await rotateSecret(this.database.pool, request.app, request.webhook_id, secret, graceMs);
    if (!rotated) throw new TakesError('NOT_FOUND', `webhook ${request.webhook_id} has no secret`);
    return { secret, previous_valid_until: rotated.previous_until.toISOString() };
  }

  @MessagePattern(webhooksSubject('logs_list'))
  logs(@Payload() body: unknown): Promise<WebhookLogPage> {
    return listDeliveries(this.database.pool, assertMessage<WebhookLogsRequest>(webhooksRequestSchemas.logs_list, body, 'log request'));
  }

  @MessagePattern(webhooksSubject('logs_get'))
  async log(@Payload() body: unknown): Promise<WebhookLogView> {
    const request = assertMessage<WebhookLogRef>(webhooksRequestSchemas.logs_get, body, 'log request');
    const found = await getDelivery(this.database.pool, request.app, request.id);
    if (!found) throw new TakesError('NOT_FOUND', `unknown webhook log ${request.id}`);
    return found;
  }

  @MessagePattern(webhooksSubject('logs_retry'))
  async retry(@Payload() body: unknown): Promise<WebhookLogView> {
    const request = assertMessage<WebhookLogRef>(webhooksRequestSchemas.logs_retry, body, 'retry request');
    const result = await reopenDelivery(this.database.pool, request.app, request.id);
    if (result === 'missing') throw new TakesError('NOT_FOUND', `unknown webhook log ${request.id}`);
    if (result === 'running') throw new TakesError('CONFLICT', 'an attempt of this delivery is running; retry when it has finished');
    this.delivery.wake();
    return (await getDelivery(this.database.pool, request.app, request.id))!;
  }

  /**
   * Every event of the app after the position (or committed at or after the time) that
   * the webhook's entity, hook and condition select, delivered again: deliveries made
   * before are reopened (same webhook-id), missing ones inserted. Read from the event
   * store a page at a time, so events JetStream no longer keeps are replayed too.
   */
  @MessagePattern(webhooksSubject('replay'))
  async replay(@Payload() body: unknown): Promise<{ queued: number }> {
    const request = assertMessage<ReplayRequest>(webhooksRequestSchemas.replay, body, 'replay request');
    const endpoint = (await loadEndpoints(this.database.pool)).get(endpointKey(request.app, request.webhook_id));
    if (!endpoint || endpoint.removed || !endpoint.definition) throw new TakesError('NOT_FOUND', `unknown webhook ${request.webhook_id}`);
    // Only this endpoint, taken as active: an admin replaying asks for it.
    const known = new Map([[endpointKey(request.app, request.webhook_id), { ...endpoint, definition: { ...endpoint.definition, active: true } }]]);
    const since = request.since_time ? Date.parse(request.since_time) : null;
    let after = request.since_position ?? 0;
    let queued = 0;
    for (;;) {
      const page = await this.store.readAfter({ after_position: after, app: request.app, limit: REPLAY_PAGE });
      // A webhook's replay: its entity's record events, not the calls of webhook actions (their own endpoints').
      const events = page.events.filter((e) => e.entity === endpoint.definition!.entity && e.type !== 'webhook_requested' && (since === null || Date.parse(e.commit_ts) >= since));
      const plan = await planBatch(events, known, async (event, version) => (await this.store.stateAt({ app: event.app, entity: event.entity, entity_id: event.entity_id, version })).state);
      queued += await inTransaction(this.database.pool, (client) => reopenDeliveries(client, plan.deliveries));
      if (page.events.length < REPLAY_PAGE) break;
      after = page.next_position;
    }
    this.delivery.wake();
    return { queued };
  }

  /** A sync hook (before_write, before_delete), for the gateway before it sends the command. */
  @MessagePattern(webhooksSubject('call'))
  async call(@Payload() body: unknown): Promise<SyncHookVerdict> {
    const request = assertMessage<SyncHookRequest>(webhooksRequestSchemas.call, body, 'sync hook request');
    return callSyncHook(request, await secretsOf(this.database.pool, request.app, request.webhook_id), this.config);
  }
}
