import { createdRecordId, triggerMatches, workflowCommandId } from './index';

const trigger = { type: 'state_change' as const, entity: 'purchase_order', field: 'status', to: 'pending_approval' };

describe('state_change triggers', () => {
  it('match an update whose patch moves the field to the value', () => {
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'updated', patch: [{ op: 'replace', path: '/status', value: 'pending_approval' }] })).toBe(true);
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'merged', patch: [{ op: 'add', path: '/status', value: 'pending_approval' }] })).toBe(true);
  });

  it('match a create that starts in the value', () => {
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'created', patch: [{ op: 'add', path: '', value: { id: 'p', status: 'pending_approval' } }] })).toBe(true);
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'created', patch: [{ op: 'add', path: '/status', value: 'pending_approval' }] })).toBe(true);
  });

  it('do not match other fields, other values, other entities, shelved edits or deletes', () => {
    const moved = [{ op: 'replace' as const, path: '/status', value: 'pending_approval' }];
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'updated', patch: [{ op: 'replace', path: '/amount', value: 3 }] })).toBe(false);
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'updated', patch: [{ op: 'replace', path: '/status', value: 'draft' }] })).toBe(false);
    expect(triggerMatches(trigger, { entity: 'invoice', type: 'updated', patch: moved })).toBe(false);
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'shelved', patch: [] })).toBe(false);
    expect(triggerMatches(trigger, { entity: 'purchase_order', type: 'deleted', patch: moved })).toBe(false);
  });

  it('with from, match only moves from one of those values', () => {
    const moved = { entity: 'purchase_order', type: 'updated', patch: [{ op: 'replace' as const, path: '/status', value: 'pending_approval' }] };
    expect(triggerMatches({ ...trigger, from: ['draft'] }, moved, 'draft')).toBe(true);
    expect(triggerMatches({ ...trigger, from: ['draft'] }, moved, 'returned')).toBe(false);
  });
});

describe('command ids', () => {
  it('are fixed by instance, step visit and attempt, and differ when any of them does', () => {
    const id = workflowCommandId('i1', 3, 'approved', 1);
    expect(workflowCommandId('i1', 3, 'approved', 1)).toBe(id);
    expect(new Set([id, workflowCommandId('i1', 3, 'approved', 2), workflowCommandId('i1', 4, 'approved', 1), workflowCommandId('i2', 3, 'approved', 1)]).size).toBe(4);
  });

  it('give a created record a UUID fixed by its instance, step visit and write', () => {
    const id = createdRecordId('i1', 2, 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(createdRecordId('i1', 2, 0)).toBe(id);
    expect(createdRecordId('i1', 2, 1)).not.toBe(id);
  });
});
