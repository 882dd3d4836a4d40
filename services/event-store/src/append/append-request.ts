import type { AppendCommand, AppendResult, Reply } from '@takes/contracts';

/** One command waiting for the group committer, with the promise that answers it. */
export interface AppendRequest {
  command: AppendCommand;
  /** Fingerprint of the command body, for idempotency. */
  fingerprint: string;
  /** When it was queued (ms since epoch), to refuse requests that waited too long. */
  queuedAt: number;
  /** W3C trace id of the request, kept with the events for the relay's traceparent. */
  traceId?: string;
  resolve(reply: Reply<AppendResult>): void;
}

/** The idempotency key: a command id is unique per (app, user). */
export function commandKey(command: AppendCommand): string {
  return JSON.stringify([command.app, command.user.id, command.command_id]);
}

/** The stream key: `<entity>:<entity_id>` within an app. */
export function streamKey(command: { app: string; entity: string; entity_id: string }): string {
  return JSON.stringify([command.app, command.entity, command.entity_id]);
}
