import { applyOperations, evolve, type TakesEvent } from '@takes/contracts';
import { uuidv7 } from '@takes/ids';
import { SYNC_HOOKS, actionOfEvent, actionWebhookPayload, deliveryPayload, hooksOfEvent, webhookMatches, webhookMessageId, type WebhookDefinition } from '@takes/webhooks';
import type { NewDelivery } from './deliveries.table';
import { endpointKey, readDefinition, type EndpointRow } from './endpoints.table';

type JsonRecord = Record<string, unknown>;

/** A record's state at a version of its stream (null: it did not exist), from the event store. */
export type ReadStateAt = (event: TakesEvent, version: number) => Promise<JsonRecord | null>;

export interface BatchPlan {
  /** Webhook definitions changed by the batch's `_meta` events, as they stand after it. */
  endpoints: Map<string, EndpointRow>;
  deliveries: NewDelivery[];
  /** Conditions that could not be evaluated (logged; the event is not delivered to that endpoint). */
  conditionErrors: { webhook_id: string; event_id: string; error: string }[];
}

const WEBHOOK_KEY = 'webhook:';
/** `_meta` records whose webhook actions are delivered, each as an endpoint with the record's key as its id (and its secret). */
const ACTION_SOURCE_KEYS = ['state_machine:', 'workflow:'];

/** Whether a `_meta` record key is a state machine's or a workflow's (an action source). */
export function isActionSource(key: string): boolean {
  return ACTION_SOURCE_KEYS.some((prefix) => key.startsWith(prefix));
}

/** The async webhooks an event may go to: the app's live ones on its entity with one of its hooks. */
function candidates(endpoints: Iterable<EndpointRow>, event: TakesEvent, hooks: readonly string[]): WebhookDefinition[] {
  const out: WebhookDefinition[] = [];
  for (const row of endpoints) {
    const d = row.definition;
    if (row.app === event.app && !row.removed && d && d.active && d.entity === event.entity && hooks.includes(d.hook) && !SYNC_HOOKS.has(d.hook)) out.push(d);
  }
  return out;
}

/**
 * A webhook's (or an action source's) `_meta` record after one of its events (the store's
 * evolve, on the state the intake kept). An action source is never a webhook definition:
 * its deliveries come only from its `webhook_requested` events.
 */
function foldMetaEvent(previous: EndpointRow | undefined, event: TakesEvent, id: string, webhook: boolean): EndpointRow {
  const state = event.type === 'defined' ? applyOperations(previous?.state ?? {}, event.patch) : (previous?.state ?? {});
  return { app: event.app, id, state, version: event.version, removed: event.type === 'removed', definition: webhook ? readDefinition(state) : null };
}

/** The delivery of a `webhook_requested` event: to its source's endpoint, at the url and method the action named. */
async function actionDelivery(event: TakesEvent & { webhook: NonNullable<TakesEvent['webhook']> }, stateAt: ReadStateAt): Promise<NewDelivery> {
  const request = event.webhook;
  const record = event.prior_version === 0 ? null : await stateAt(event, event.prior_version);
  const old = request.transition ? (request.transition.before_version === 0 ? null : await stateAt(event, request.transition.before_version)) : record;
  return {
    id: uuidv7(),
    app: event.app,
    webhook_id: request.source,
    event_id: event.id,
    position: event.position,
    entity: event.entity,
    record_id: event.entity_id,
    hook: request.transition ? 'transition' : 'workflow',
    message_id: webhookMessageId(event.id, request.source),
    body: JSON.stringify(actionWebhookPayload({ ...event, webhook: request }, old, record)),
    idempotency_key: event.command_id,
    url: request.url,
    method: request.method,
  };
}

/**
 * What a batch of events (in position order) comes to: the webhook definitions its
 * `_meta` events change, and one delivery per record event and matching webhook, with
 * the body made now (record before and after, Rocket's fields, the event). A webhook is
 * matched with its definition as of the event, so one defined later never receives
 * earlier events (replay is for that).
 */
export async function planBatch(events: readonly TakesEvent[], known: ReadonlyMap<string, EndpointRow>, stateAt: ReadStateAt): Promise<BatchPlan> {
  const endpoints = new Map<string, EndpointRow>();
  const current = () => [...new Map([...known, ...endpoints]).values()];
  const deliveries: NewDelivery[] = [];
  const conditionErrors: BatchPlan['conditionErrors'] = [];
  // Records' states after the batch's earlier events, so one record's events read the store once.
  const states = new Map<string, JsonRecord | null>();
  for (const event of events) {
    if (event.entity === '_meta') {
      const webhook = event.entity_id.startsWith(WEBHOOK_KEY);
      if ((webhook || isActionSource(event.entity_id)) && (event.type === 'defined' || event.type === 'removed')) {
        const id = webhook ? event.entity_id.slice(WEBHOOK_KEY.length) : event.entity_id;
        const key = endpointKey(event.app, id);
        endpoints.set(key, foldMetaEvent(endpoints.get(key) ?? known.get(key), event, id, webhook));
      }
      continue;
    }
    if (event.type === 'webhook_requested' && event.webhook) {
      const key = endpointKey(event.app, event.webhook.source);
      // A source the intake has not seen defined (defined before its watermark) gets its endpoint now, so no call is dropped.
      if (!endpoints.has(key) && !known.has(key)) endpoints.set(key, { app: event.app, id: event.webhook.source, state: {}, version: 0, removed: false, definition: null });
      deliveries.push(await actionDelivery({ ...event, webhook: event.webhook }, stateAt));
      continue;
    }
    const recordKey = `${event.app}\u001f${event.entity}\u001f${event.entity_id}`;
    const hooks = hooksOfEvent(event.type);
    const targets = hooks.length === 0 ? [] : candidates(current(), event, hooks);
    if (targets.length === 0) {
      states.delete(recordKey);
      continue;
    }
    const old = states.has(recordKey) ? states.get(recordKey)! : event.prior_version === 0 ? null : await stateAt(event, event.prior_version);
    const record = evolve({ version: event.prior_version, state: old ?? {}, deleted: false }, event).state;
    states.set(recordKey, record);
    for (const webhook of targets) {
      const matched = webhookMatches(webhook, event.entity, webhook.hook, { record, old, action: actionOfEvent(event.type), user: event.user ?? null });
      if (!matched.match) {
        if (matched.error) conditionErrors.push({ webhook_id: webhook.id, event_id: event.id, error: matched.error });
        continue;
      }
      deliveries.push({
        id: uuidv7(),
        app: event.app,
        webhook_id: webhook.id,
        event_id: event.id,
        position: event.position,
        entity: event.entity,
        record_id: event.entity_id,
        hook: webhook.hook,
        message_id: webhookMessageId(event.id, webhook.id),
        body: JSON.stringify(deliveryPayload(webhook.hook, event, old, record)),
        idempotency_key: event.command_id,
      });
    }
  }
  return { endpoints, deliveries, conditionErrors };
}
