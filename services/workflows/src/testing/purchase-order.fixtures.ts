import { randomUUID } from 'node:crypto';
import type { TakesEvent, WorkflowInstanceView } from '@takes/contracts';
import { eventually, type TakesProcesses } from '@takes/testing';

/** Rocket's purchase order, and its approval workflow, for the e2e suites. */
export const purchaseOrder = {
  name: 'purchase_order',
  table: 'purchase_orders',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'status', type: 'string' },
    { name: 'amount', type: 'int' },
    { name: 'escalated', type: 'boolean', nullable: true },
    { name: 'note', type: 'string', nullable: true },
  ],
};

/** Rocket's purchase-order workflow, with the actions Takes runs (set_field). */
export const approvalWorkflow = {
  name: 'purchase_order_approval',
  trigger: { type: 'state_change', entity: 'purchase_order', field: 'status', to: 'pending_approval' },
  context: { record_id: 'trigger.record_id', amount: 'trigger.record.amount' },
  steps: [
    { id: 'check_amount', type: 'condition', expression: 'context.amount > 1000', on_true: { goto: 'finance_approval' }, on_false: { goto: 'approved' } },
    {
      id: 'finance_approval',
      type: 'approval',
      assignee: { type: 'role', role: 'finance_manager' },
      timeout: '72h',
      on_approve: { goto: 'approved' },
      on_reject: { goto: 'rejected' },
      on_timeout: { goto: 'escalate' },
    },
    { id: 'escalate', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'escalated', value: true }], then: 'end' },
    { id: 'approved', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'status', value: 'approved' }], then: 'end' },
    { id: 'rejected', type: 'action', actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'status', value: 'rejected' }], then: 'end' },
  ],
};

/**
 * Rocket's purchase-order workflow with its actions as its design page writes them: the
 * approved path sends `po_approved`, the rejected path calls /hooks/po-rejected (a path,
 * resolved against TAKES_WEBHOOKS_BASE_URL). Triggered by `review`.
 */
export const rocketActionsWorkflow = {
  ...approvalWorkflow,
  name: 'purchase_order_review',
  trigger: { ...approvalWorkflow.trigger, to: 'review' },
  steps: approvalWorkflow.steps.map((step) => {
    if (step.id === 'approved') return { ...step, actions: [...(step.actions ?? []), { type: 'send_event', event: 'po_approved' }] };
    if (step.id === 'rejected') return { ...step, actions: [...(step.actions ?? []), { type: 'webhook', url: '/hooks/po-rejected', method: 'POST' }] };
    return step;
  }),
};

/** The same approval with a short timeout, triggered by `rush`. */
export const rushWorkflow = {
  ...approvalWorkflow,
  name: 'rush_order',
  trigger: { ...approvalWorkflow.trigger, to: 'rush' },
  steps: approvalWorkflow.steps.map((step) => (step.id === 'finance_approval' ? { ...step, timeout: '1s' } : step)),
};

/** The history of an instance as `step:status` (`-` for no step). */
export const steps = (instance: WorkflowInstanceView) => instance.history!.map((h) => `${h.step ?? '-'}:${h.status}`);

/** What the e2e suites do with purchase orders through the gateway, as the admin. */
export function orderSteps(takes: TakesProcesses, admin: string) {
  return {
    /** A new order in draft, then moved to `status` (a trigger's `to`). */
    async order(amount: number, status = 'pending_approval'): Promise<string> {
      const id = randomUUID();
      expect((await takes.api('POST', '/api/main/purchase_order', { token: admin, body: { id, status: 'draft', amount } })).status).toBe(201);
      expect((await takes.api('PUT', `/api/main/purchase_order/${id}`, { token: admin, body: { status } })).status).toBe(200);
      return id;
    },
    /** The one instance a record started, once it reached `status`, with its history. */
    async instanceOf(recordId: string, status: string, workflowId: string): Promise<WorkflowInstanceView> {
      return eventually(async () => {
        const list = await takes.api('GET', `/api/main/_admin/workflow-instances?workflow_id=${workflowId}&per_page=1000`, { token: admin });
        expect(list.status).toBe(200);
        const mine = (list.body.data as WorkflowInstanceView[]).filter((i) => i.trigger.record_id === recordId);
        expect(mine).toHaveLength(1);
        expect(mine[0].status).toBe(status);
        return (await takes.api('GET', `/api/main/_workflows/${mine[0].id}`, { token: admin })).body.data as WorkflowInstanceView;
      }, 20_000);
    },
    async record(id: string, entity = 'purchase_order') {
      return (await takes.api('GET', `/api/main/${entity}/${id}`, { token: admin })).body.data;
    },
    /** The record's events that the workflow's service user made. */
    async workflowEvents(id: string, workflowId: string, entity = 'purchase_order'): Promise<TakesEvent[]> {
      const events = (await takes.api<{ data: TakesEvent[] }>('GET', `/api/main/${entity}/${id}/events`, { token: admin })).body.data;
      return events.filter((e) => e.user.id === `workflow:${workflowId}`);
    },
  };
}
