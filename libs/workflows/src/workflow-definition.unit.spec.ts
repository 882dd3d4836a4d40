import { END, parseWorkflow, type WorkflowDefinition } from './index';
import { purchaseOrder } from './purchase-order.example';

const fields = (input: unknown) => {
  const parsed = parseWorkflow(input);
  return parsed.ok ? [] : parsed.details.map((d) => `${d.field} ${d.rule}`);
};

describe('parseWorkflow', () => {
  it('reads the purchase-order workflow: gotos as step ids or end, defaults filled, Rocket name kept as title', () => {
    const parsed = parseWorkflow(purchaseOrder);
    expect(parsed.ok).toBe(true);
    const value = (parsed as { value: WorkflowDefinition }).value;
    expect(value).toMatchObject({ name: 'wf-po', id: 'wf-po', title: 'purchase_order_approval', roles: ['admin'], active: true });
    expect(value.steps[0]).toEqual({ id: 'check_amount', type: 'condition', expression: 'context.amount > 1000', on_true: 'finance_approval', on_false: 'approved' });
    expect(value.steps[2]).toMatchObject({
      then: END,
      actions: [
        { type: 'webhook', url: '/hooks/escalate', method: 'POST', entity: 'purchase_order', record_id: 'trigger.record_id' },
        { type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'escalated', value: true },
      ],
    });
    // The record id defaults to the trigger's record.
    expect(value.steps[4]).toMatchObject({ actions: [{ record_id: 'trigger.record_id', entity: 'purchase_order' }, { record_id: 'trigger.record_id', entity: 'purchase_order' }] });
  });

  it('reads its own stored form back unchanged (replaying a _meta record gives the same definition)', () => {
    const first = parseWorkflow(purchaseOrder) as { ok: true; value: WorkflowDefinition };
    expect(parseWorkflow(JSON.parse(JSON.stringify(first.value)))).toEqual(first);
  });

  it('refuses gotos to unknown steps, duplicate ids and loops of action steps, with where', () => {
    const steps = [
      { id: 'a', type: 'action', actions: [{ type: 'set_field', field: 'x', value: 1 }], then: { goto: 'b' } },
      { id: 'b', type: 'action', actions: [{ type: 'set_field', field: 'x', value: 2 }], then: { goto: 'a' } },
      { id: 'c', type: 'condition', expression: 'context.x > 1', on_true: { goto: 'nowhere' } },
    ];
    expect(fields({ ...purchaseOrder, steps })).toEqual(['steps[2].on_true exists', 'steps[0].then cycle']);
    expect(fields({ ...purchaseOrder, steps: steps.slice(0, 2) })).toEqual(['steps[0].then cycle']);
    expect(fields({ ...purchaseOrder, steps: [{ ...steps[0], then: 'end' }, { ...steps[1], id: 'a', then: 'end' }] })).toEqual(['steps[1].id unique']);
  });

  it('accepts a loop that passes an approval or a condition', () => {
    const steps = [
      { id: 'ask', type: 'approval', assignee: { type: 'role', role: 'boss' }, timeout: '30s', on_timeout: { goto: 'nag' } },
      { id: 'nag', type: 'action', actions: [{ type: 'set_field', field: 'escalated', value: true }], then: { goto: 'ask' } },
    ];
    expect(fields({ ...purchaseOrder, steps })).toEqual([]);
  });

  it('refuses bad expressions with line and column, bad timeouts, missing assignees and unknown step types', () => {
    const parsed = parseWorkflow({
      ...purchaseOrder,
      context: { amount: 'trigger.record.amount +' },
      steps: [
        { id: 'c', type: 'condition', expression: 'record.amount > 1', on_true: 'end' },
        { id: 'a', type: 'approval', assignee: { type: 'role' }, timeout: 'soon' },
        { id: 'w', type: 'wait' },
      ],
    });
    expect(parsed.ok).toBe(false);
    const details = (parsed as { details: { field: string; rule: string; line?: number }[] }).details;
    expect(details.map((d) => `${d.field} ${d.rule}`)).toEqual([
      'context.amount expression',
      'steps[0].expression expression',
      'steps[1].timeout duration',
      'steps[1].assignee required',
      'steps[2].type unsupported',
    ]);
    expect(details[0].line).toBe(1);
  });

  it("takes Rocket's webhook and send_event actions, on the trigger's record unless they name another, and refuses bad ones saying where", () => {
    const parsed = parseWorkflow({
      ...purchaseOrder,
      steps: [{ id: 'a', type: 'action', actions: [{ type: 'webhook', url: '/hooks/x' }, { type: 'send_event', event: 'po_approved', record_id: 'context.record_id' }] }],
    });
    expect(parsed.ok && parsed.value.steps[0]).toEqual({
      id: 'a',
      type: 'action',
      actions: [
        { type: 'webhook', entity: 'purchase_order', record_id: 'trigger.record_id', url: '/hooks/x', method: 'POST' },
        { type: 'send_event', entity: 'purchase_order', record_id: 'context.record_id', event: 'po_approved' },
      ],
      then: 'end',
    });
    const bad = parseWorkflow({
      ...purchaseOrder,
      steps: [{ id: 'a', type: 'action', actions: [{ type: 'webhook', url: 'mailto:x@example.com', method: 'GET' }, { type: 'send_event' }, { type: 'send_event', event: 'e', record_id: 'not a path' }] }],
    });
    expect(bad.ok).toBe(false);
    const details = (bad as { details: { field: string; rule: string }[] }).details;
    expect(details.map((d) => `${d.field} ${d.rule}`)).toEqual([
      'steps[0].actions[0].url pattern',
      'steps[0].actions[0].method enum',
      'steps[0].actions[1].event required',
      'steps[0].actions[2].record_id expression',
    ]);
  });

  it('refuses triggers other than state_change and definitions without steps', () => {
    expect(fields({ ...purchaseOrder, trigger: { type: 'schedule', cron: '* * * * *' }, steps: [] })).toEqual([
      'trigger.type unsupported',
      'trigger.entity required',
      'trigger.field required',
      'trigger.to required',
      'steps required',
    ]);
  });

  it('takes narrower roles and refuses an empty list', () => {
    expect((parseWorkflow({ ...purchaseOrder, roles: ['clerk'] }) as { value: WorkflowDefinition }).value.roles).toEqual(['clerk']);
    expect(fields({ ...purchaseOrder, roles: [] })).toEqual(['roles type']);
  });
});
