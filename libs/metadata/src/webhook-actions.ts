import type { MetaKind } from './meta-kinds';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function anyWebhook(actions: unknown): boolean {
  return listOf(actions).some((action) => action.type === 'webhook');
}

/**
 * Whether a state machine or workflow, as sent, has a webhook action: its calls are signed
 * with a secret of its own, which the gateway has the webhooks service make before it is
 * defined. Reads the shape as sent (a state machine's transitions at the top or under
 * `definition`, a workflow's steps' actions); other kinds have none.
 */
export function hasWebhookActions(kind: MetaKind, body: unknown): boolean {
  if (!isObject(body)) return false;
  if (kind === 'state_machine') {
    const transitions = body.transitions ?? (isObject(body.definition) ? body.definition.transitions : undefined);
    return listOf(transitions).some((transition) => anyWebhook(transition.actions));
  }
  if (kind === 'workflow') return listOf(body.steps).some((step) => anyWebhook(step.actions));
  return false;
}

/** The webhooks service's endpoint id of a state machine's or workflow's calls: its `_meta` key. */
export function actionSourceId(kind: 'state_machine' | 'workflow', id: string): string {
  return `${kind}:${id}`;
}
