import { Inject, Injectable } from '@nestjs/common';
import { TakesError, WEBHOOKS, type Webhooks } from '@takes/contracts';
import { actionSourceId, hasWebhookActions, type MetaKind } from '@takes/metadata';
import { MetaAdminService } from '../admin/meta-admin.service';

/** The kinds whose webhook actions are signed with a secret of their own. */
export type ActionSourceKind = Extract<MetaKind, 'state_machine' | 'workflow'>;

/**
 * The signing secret of a state machine's or workflow's webhook actions, one per
 * definition (`<kind>:<id>` in the webhooks service), made the first time the definition
 * is sent with a webhook action, before it is defined: such a definition never exists
 * without a secret, and with the webhooks service down it is not defined (503, safe to
 * send again). Shown once, in that answer; rotated like a webhook's.
 */
@Injectable()
export class ActionSecrets {
  constructor(
    private readonly meta: MetaAdminService,
    @Inject(WEBHOOKS) private readonly webhooks: Webhooks,
  ) {}

  /** The new secret, when the definition has webhook actions and had no secret; undefined otherwise. */
  async issueBeforeDefine(app: string, kind: ActionSourceKind, id: string, body: unknown, traceparent: string): Promise<string | undefined> {
    if (!hasWebhookActions(kind, body)) return undefined;
    // The definition is checked before a secret is made for it.
    this.meta.check(app, kind, { ...(body as object), id });
    try {
      return (await this.webhooks.issueSecret({ app, webhook_id: actionSourceId(kind, id) }, { traceparent })).secret;
    } catch (error) {
      if (error instanceof TakesError && error.code === 'CONFLICT') return undefined;
      throw error;
    }
  }
}
