import type { ErrorDetail } from '@takes/contracts';
import { parseWebhookDefinition, type WebhookDefinition, type WebhookHook } from '@takes/webhooks';
import type { AppMetadata } from './app-metadata';
import type { Parsed } from './parsed';

/** Reads a webhook as sent to `/_admin/webhooks` (`webhook:<id>`), its condition compiled. */
export function parseStoredWebhook(input: unknown): Parsed<WebhookDefinition> {
  return parseWebhookDefinition(input);
}

/** Why a webhook cannot be stored in this app: its entity must exist. */
export function webhookProblems(webhook: WebhookDefinition, metadata: AppMetadata): ErrorDetail[] {
  return metadata.entities.has(webhook.entity) ? [] : [{ field: 'entity', rule: 'exists', message: `unknown entity ${webhook.entity}` }];
}

/** The app's webhooks in force for an entity and a hook (active or not). */
export function webhooksOf(metadata: AppMetadata, entity: string, hook?: WebhookHook): WebhookDefinition[] {
  return [...(metadata.webhooks?.values() ?? [])].filter((w) => w.entity === entity && (hook === undefined || w.hook === hook));
}
