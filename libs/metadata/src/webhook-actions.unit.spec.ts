import { hasWebhookActions } from './webhook-actions';

describe('hasWebhookActions', () => {
  it("finds a state machine's webhook action at the top or under definition", () => {
    const transitions = [{ from: 'a', to: 'b', actions: [{ type: 'set_field' }] }, { from: 'b', to: 'c', actions: [{ type: 'webhook', url: '/x' }] }];
    expect(hasWebhookActions('state_machine', { transitions })).toBe(true);
    expect(hasWebhookActions('state_machine', { definition: { transitions } })).toBe(true);
    expect(hasWebhookActions('state_machine', { transitions: [transitions[0]] })).toBe(false);
  });

  it("finds a workflow step's webhook action", () => {
    expect(hasWebhookActions('workflow', { steps: [{ id: 's', type: 'action', actions: [{ type: 'webhook', url: '/x' }] }] })).toBe(true);
    expect(hasWebhookActions('workflow', { steps: [{ id: 's', type: 'action', actions: [{ type: 'send_event', event: 'e' }] }] })).toBe(false);
  });

  it('other kinds and shapes have none', () => {
    expect(hasWebhookActions('rule', { transitions: [{ actions: [{ type: 'webhook' }] }] })).toBe(false);
    expect(hasWebhookActions('state_machine', null)).toBe(false);
    expect(hasWebhookActions('state_machine', { transitions: 'x' })).toBe(false);
  });
});
