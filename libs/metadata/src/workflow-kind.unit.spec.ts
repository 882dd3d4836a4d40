import { checkMetaDefine, metaStateOf, parseEntityDefinition } from './index';

const po = parseEntityDefinition({
  name: 'purchase_order',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'status', type: 'string' },
    { name: 'amount', type: 'int' },
  ],
});
const app = metaStateOf(po.ok ? [{ key: 'entity:purchase_order', definition: po.value as unknown as Record<string, unknown>, removed: false, position: 1 }] : []);
const workflow = (actions: unknown[], trigger: Record<string, unknown> = {}) => ({
  id: 'w1',
  name: 'approve_po',
  trigger: { type: 'state_change', entity: 'purchase_order', field: 'status', to: 'pending_approval', ...trigger },
  steps: [{ id: 'done', type: 'action', actions }],
});

describe('the workflow metadata kind', () => {
  it('stores a workflow whose trigger and actions name fields the app has', () => {
    const check = checkMetaDefine('workflow:w1', workflow([{ type: 'set_field', field: 'status', value: 'approved' }]), app);
    expect(check).toMatchObject({ ok: true, definition: { name: 'w1', title: 'approve_po' } });
  });

  it('refuses unknown entities and fields in the trigger and the actions, with where', () => {
    const check = checkMetaDefine('workflow:w1', workflow([{ type: 'set_field', field: 'nope', value: 1 }, { type: 'create_record', entity: 'ghost', data: {} }], { field: 'state' }), app);
    expect(check.ok).toBe(false);
    expect(check.ok ? [] : check.details.map((d) => `${d.field} ${d.rule}`)).toEqual(['trigger.field exists', 'steps[0].actions[0].field exists', 'steps[0].actions[1].entity exists']);
  });

  it('refuses a definition that does not parse, as invalid', () => {
    const check = checkMetaDefine('workflow:w1', workflow([{ type: 'webhook', url: 'ftp://example.com/x' }]), app);
    expect(check).toMatchObject({ ok: false, message: 'invalid workflow definition' });
  });
});
