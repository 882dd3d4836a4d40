import { exampleEvent, type TakesEvent, type WebhookRequest } from '@takes/contracts';
import { actionWebhookPayload, resolveActionUrl } from './action-webhook';

describe('resolveActionUrl', () => {
  it('keeps an absolute URL and puts a path on the base origin', () => {
    expect(resolveActionUrl('https://erp.example.com/hooks/x', undefined)).toEqual({ ok: true, url: 'https://erp.example.com/hooks/x' });
    expect(resolveActionUrl('/hooks/invoice-paid', 'http://127.0.0.1:9000')).toEqual({ ok: true, url: 'http://127.0.0.1:9000/hooks/invoice-paid' });
    expect(resolveActionUrl('/hooks/invoice-paid?a=1', 'http://127.0.0.1:9000/ignored/')).toEqual({ ok: true, url: 'http://127.0.0.1:9000/hooks/invoice-paid?a=1' });
  });

  it('says why a path cannot be called without a base', () => {
    expect(resolveActionUrl('/hooks/invoice-paid', undefined)).toMatchObject({ ok: false, error: expect.stringContaining('TAKES_WEBHOOKS_BASE_URL') });
  });
});

describe('actionWebhookPayload', () => {
  const request: WebhookRequest = { url: '/hooks/paid', method: 'POST', source: 'state_machine:sm-1', transition: { field: 'status', from: 'sent', to: 'paid', before_version: 3 } };
  const event = { ...exampleEvent, type: 'webhook_requested', patch: [], webhook: request } as TakesEvent & { webhook: WebhookRequest };

  it("gives Rocket's fields, the transition made and the event", () => {
    const body = actionWebhookPayload(event, { status: 'sent', total: 10 }, { status: 'paid', total: 10, paid_at: 'now' });
    expect(body).toMatchObject({
      event: 'state_machine.transition',
      entity: 'inspection',
      action: 'update',
      changes: { status: { old: 'sent', new: 'paid' }, paid_at: { old: null, new: 'now' } },
      user: { id: 'u-17', roles: ['inspector'] },
      idempotency_key: exampleEvent.command_id,
      state_machine: { id: 'sm-1', field: 'status', from: 'sent', to: 'paid' },
      takes_event: event,
    });
    expect(body).not.toHaveProperty('workflow');
  });

  it("names a workflow's instance and step", () => {
    const fromWorkflow = { ...event, webhook: { url: '/hooks/x', method: 'POST', source: 'workflow:wf-1', workflow: { instance: 'i-1', step: 'notify' } } };
    expect(actionWebhookPayload(fromWorkflow, { a: 1 }, { a: 1 })).toMatchObject({ event: 'workflow.action', changes: {}, workflow: { id: 'wf-1', instance: 'i-1', step: 'notify' } });
  });
});
