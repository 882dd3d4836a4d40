import type { NatsConnection } from 'nats';
import {
  webhooksSubject,
  type CallOptions,
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
  type Webhooks,
  type WebhooksRequest,
} from '@takes/contracts';
import type { NatsClientOptions } from './nats-event-store';
import { requestData } from './rpc-client';

/** The `Webhooks` port over NATS request/reply (`webhooks.<what>`); no answer in time is UNAVAILABLE. */
export class NatsWebhooks implements Webhooks {
  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsClientOptions,
  ) {}

  issueSecret(request: WebhookRef, options?: CallOptions): Promise<SecretReply> {
    return this.ask('secret_issue', request, options);
  }

  rotateSecret(request: RotateSecretRequest, options?: CallOptions): Promise<SecretReply> {
    return this.ask('secret_rotate', request, options);
  }

  logs(request: WebhookLogsRequest, options?: CallOptions): Promise<WebhookLogPage> {
    return this.ask('logs_list', request, options);
  }

  log(request: WebhookLogRef, options?: CallOptions): Promise<WebhookLogView> {
    return this.ask('logs_get', request, options);
  }

  retry(request: WebhookLogRef, options?: CallOptions): Promise<WebhookLogView> {
    return this.ask('logs_retry', request, options);
  }

  replay(request: ReplayRequest, options?: CallOptions): Promise<{ queued: number }> {
    return this.ask('replay', request, options);
  }

  /** Waits for the hook's own time limit and a margin, whatever the client timeout. */
  call(request: SyncHookRequest, options?: CallOptions): Promise<SyncHookVerdict> {
    return this.ask('call', request, options, request.timeout_ms + 2_000);
  }

  private ask<T>(what: WebhooksRequest, request: object, options: CallOptions = {}, timeoutMs = this.options.timeoutMs): Promise<T> {
    return requestData(this.nc, webhooksSubject(what, this.options.subjectPrefix), { v: 1, ...request }, {
      timeoutMs,
      traceparent: options.traceparent,
      unavailableMessage: 'the webhooks service did not answer; retry shortly',
    });
  }
}
