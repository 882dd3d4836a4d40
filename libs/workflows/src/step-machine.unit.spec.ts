import { decideApproval, enterStep, firstStep, initialContext, mayDecide, parseDuration, parseWorkflow, type WorkflowDefinition } from './index';
import { purchaseOrder } from './purchase-order.example';

const definition = (parseWorkflow(purchaseOrder) as { value: WorkflowDefinition }).value;
const now = new Date('2026-12-02T10:00:00.000Z');
const trigger = (amount: number) => ({ record_id: 'po-1', entity: 'purchase_order', record: { id: 'po-1', amount, status: 'pending_approval' } });

describe('the step machine', () => {
  it('maps the context from the trigger (paths evaluated, literals kept, a missing path null)', () => {
    expect(initialContext(definition, trigger(5000), now)).toEqual({ record_id: 'po-1', amount: 5000, entity: 'purchase_order' });
    expect(initialContext(definition, { record_id: 'po-2', record: {} }, now)).toEqual({ record_id: 'po-2', amount: null, entity: 'purchase_order' });
  });

  it('routes on the amount: a large one to the approval (paused with its deadline), a small one straight to the action', () => {
    const large = { context: initialContext(definition, trigger(5000), now), trigger: trigger(5000) };
    expect(enterStep(definition, firstStep(definition), large, now)).toEqual({ kind: 'branch', step: 'check_amount', outcome: 'on_true', next: 'finance_approval' });
    expect(enterStep(definition, 'finance_approval', large, now)).toEqual({ kind: 'wait', step: 'finance_approval', deadline: new Date(now.getTime() + 48 * 3_600_000) });
    const small = { context: initialContext(definition, trigger(10), now), trigger: trigger(10) };
    expect(enterStep(definition, 'check_amount', small, now)).toMatchObject({ outcome: 'on_false', next: 'approved' });
  });

  it('plans an action step as writes to the record the context names', () => {
    const scope = { context: { record_id: 'po-1' }, trigger: trigger(5000) };
    expect(enterStep(definition, 'approved', scope, now)).toEqual({
      kind: 'act',
      step: 'approved',
      writes: [{ op: 'put', entity: 'purchase_order', entity_id: 'po-1', data: { status: 'approved' } }],
      // Its send_event acts on the trigger's record, after the writes.
      signals: [{ entity: 'purchase_order', entity_id: 'po-1', action: { type: 'send_event', event: 'po_approved' } }],
      next: 'end',
    });
    expect(enterStep(definition, 'end', scope, now)).toEqual({ kind: 'end' });
  });

  it('makes one write of the fields a step sets on one record, and one per other record or new record', () => {
    const parsed = parseWorkflow({
      ...purchaseOrder,
      steps: [
        {
          id: 'done',
          type: 'action',
          actions: [
            { type: 'set_field', field: 'status', value: 'approved' },
            { type: 'create_record', entity: 'audit_note', data: { po_id: 'context.record_id', text: 'approved' } },
            { type: 'set_field', field: 'approved_amount', value: 'context.amount' },
          ],
        },
      ],
    }) as { value: WorkflowDefinition };
    const move = enterStep(parsed.value, 'done', { context: { record_id: 'po-1', amount: 7 }, trigger: trigger(7) }, now);
    expect(move).toMatchObject({
      kind: 'act',
      writes: [
        { op: 'put', entity: 'purchase_order', entity_id: 'po-1', data: { status: 'approved', approved_amount: 7 } },
        { op: 'create', entity: 'audit_note', data: { po_id: 'po-1', text: 'approved' } },
      ],
    });
  });

  it('fails a step visibly when its record id is missing', () => {
    expect(enterStep(definition, 'approved', { context: {}, trigger: {} }, now)).toMatchObject({ kind: 'fail', step: 'approved' });
  });

  it('decides approvals: approve, reject and timeout each take their own goto; other steps are not approvals', () => {
    expect(decideApproval(definition, 'finance_approval', 'approve')).toBe('approved');
    expect(decideApproval(definition, 'finance_approval', 'reject')).toBe('rejected');
    expect(decideApproval(definition, 'finance_approval', 'timeout')).toBe('escalate');
    expect(decideApproval(definition, 'approved', 'approve')).toBeNull();
  });

  it('lets the assignee role (and admins) decide, nobody else', () => {
    expect(mayDecide(definition, 'finance_approval', { id: 'u1', roles: ['finance_manager'] })).toBe(true);
    expect(mayDecide(definition, 'finance_approval', { id: 'u2', roles: ['admin'] })).toBe(true);
    expect(mayDecide(definition, 'finance_approval', { id: 'u3', roles: ['clerk'] })).toBe(false);
    expect(mayDecide(definition, 'approved', { id: 'u2', roles: ['admin'] })).toBe(false);
  });

  it('reads durations', () => {
    expect([parseDuration('30s'), parseDuration('15m'), parseDuration('72h'), parseDuration('7d'), parseDuration('500ms')]).toEqual([30_000, 900_000, 259_200_000, 604_800_000, 500]);
    expect([parseDuration('0s'), parseDuration('3 days'), parseDuration(72)]).toEqual([null, null, null]);
  });
});
