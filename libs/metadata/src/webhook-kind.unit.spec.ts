import { applyMetaChange, emptyMetadata } from './app-metadata';
import { checkMetaDefine } from './meta-kinds';
import { metaStateOf } from './meta-state';
import { webhooksOf } from './webhook-kind';

const visit = { name: 'visit', table: 'visits', fields: [{ name: 'id', type: 'uuid' }, { name: 'x', type: 'int', nullable: true }] };

describe('the webhook metadata kind', () => {
  const withVisit = applyMetaChange(emptyMetadata(), { key: 'entity:visit', definition: visit, position: 1 });

  it('is put in force and dropped by id', () => {
    const meta = applyMetaChange(withVisit, { key: 'webhook:w1', definition: { id: 'w1', entity: 'visit', url: 'https://example.com/h' }, position: 2 });
    expect(webhooksOf(meta, 'visit').map((w) => w.id)).toEqual(['w1']);
    expect(webhooksOf(meta, 'visit', 'after_delete')).toEqual([]);
    expect(webhooksOf(applyMetaChange(meta, { key: 'webhook:w1', definition: null, position: 3 }), 'visit')).toEqual([]);
  });

  it('refuses an unknown entity, a bad condition and a secret in the definition', () => {
    const app = metaStateOf([{ key: 'entity:visit', definition: visit, removed: false, position: 1 }] as never);
    expect(checkMetaDefine('webhook:w1', { id: 'w1', entity: 'nope', url: 'https://example.com/h' }, app)).toMatchObject({ ok: false, details: [{ field: 'entity', rule: 'exists' }] });
    expect(checkMetaDefine('webhook:w1', { id: 'w1', entity: 'visit', url: 'https://example.com/h', condition: 'record.x >' }, app)).toMatchObject({ ok: false, details: [{ field: 'condition', rule: 'expression' }] });
    expect(checkMetaDefine('webhook:w1', { id: 'w1', entity: 'visit', url: 'https://example.com/h', secret: 'whsec_x' }, app)).toMatchObject({ ok: false, details: [{ field: 'secret', rule: 'unknown' }] });
  });
});
