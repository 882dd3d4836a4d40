/** Rocket's purchase-order story (docs/rules-and-workflows.md, Layer 4), its relation assignee replaced by a role. */
export const purchaseOrder = {
  id: 'wf-po',
  name: 'purchase_order_approval',
  trigger: { type: 'state_change', entity: 'purchase_order', field: 'status', to: 'pending_approval' },
  context: { record_id: 'trigger.record_id', amount: 'trigger.record.amount', entity: 'purchase_order' },
  steps: [
    { id: 'check_amount', type: 'condition', expression: 'context.amount > 1000', on_true: { goto: 'finance_approval' }, on_false: { goto: 'approved' } },
    {
      id: 'finance_approval',
      type: 'approval',
      assignee: { type: 'role', role: 'finance_manager' },
      timeout: '48h',
      on_approve: { goto: 'approved' },
      on_reject: { goto: 'rejected' },
      on_timeout: { goto: 'escalate' },
    },
    {
      id: 'escalate',
      type: 'action',
      actions: [{ type: 'webhook', url: '/hooks/escalate', method: 'POST' }, { type: 'set_field', record_id: 'context.record_id', field: 'escalated', value: true }],
      then: 'end',
    },
    {
      id: 'approved',
      type: 'action',
      actions: [{ type: 'set_field', entity: 'purchase_order', record_id: 'context.record_id', field: 'status', value: 'approved' }, { type: 'send_event', event: 'po_approved' }],
      then: 'end',
    },
    { id: 'rejected', type: 'action', actions: [{ type: 'set_field', field: 'status', value: 'rejected' }, { type: 'webhook', url: '/hooks/po-rejected', method: 'POST' }], then: { goto: 'end' } },
  ],
};

