import { entityChanges, type EntityChanges } from './entity-changes';
import { parseEntityDefinition, type EntityDefinition } from './entity-definition';

function entity(fields: unknown[], extra: Record<string, unknown> = {}): EntityDefinition {
  const result = parseEntityDefinition({ name: 'customer', fields: [{ name: 'id', type: 'uuid' }, ...fields], ...extra });
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.value;
}
function changes(previous: EntityDefinition, next: EntityDefinition): EntityChanges {
  const result = entityChanges(previous, next);
  if (!result.ok) throw new Error(JSON.stringify(result.details));
  return result.value;
}

describe('entityChanges', () => {
  const v1 = entity([
    { name: 'name', type: 'string', required: true },
    { name: 'phone', type: 'string' },
    { name: 'status', type: 'string', enum: ['active', 'inactive'] },
  ]);

  it('tells added, removed and changed fields (Rocket’s “Update Entity (Add a Field)”)', () => {
    const v2 = entity([
      { name: 'name', type: 'string', required: true },
      { name: 'status', type: 'string', enum: ['active', 'inactive', 'suspended'] },
      { name: 'tier', type: 'string', enum: ['bronze', 'gold'] },
    ]);
    const result = changes(v1, v2);
    expect(result).toMatchObject({ added: ['tier'], removed: ['phone'], changed: ['status'] });
    expect(result.definition.removed_fields).toEqual([{ name: 'phone', type: 'string' }]);
    expect(result.definition.fields).toBe(v2.fields);
  });

  it('an unchanged redefinition changes nothing', () => {
    expect(changes(v1, v1)).toEqual({ added: [], removed: [], changed: [], definition: v1 });
  });

  it('refuses to change the type of an existing field', () => {
    const v2 = entity([
      { name: 'name', type: 'text', required: true },
      { name: 'phone', type: 'int' },
    ]);
    const result = entityChanges(v1, v2);
    expect(result).toEqual({
      ok: false,
      details: [
        { field: 'fields[1].type', rule: 'immutable', message: expect.stringContaining('string') },
        { field: 'fields[2].type', rule: 'immutable', message: expect.stringContaining('int') },
      ],
    });
  });

  it('a removed field comes back only with its old type, and then leaves removed_fields', () => {
    const v2 = changes(v1, entity([{ name: 'name', type: 'string' }])).definition;
    expect(v2.removed_fields?.map((f) => f.name)).toEqual(['phone', 'status']);
    const wrong = entityChanges(v2, entity([{ name: 'name', type: 'string' }, { name: 'phone', type: 'int' }]));
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.details[0]).toMatchObject({ field: 'fields[2].type', rule: 'immutable', message: expect.stringContaining('was') });
    const back = changes(v2, entity([{ name: 'name', type: 'string' }, { name: 'phone', type: 'string' }]));
    expect(back.added).toEqual(['phone']);
    expect(back.definition.removed_fields).toEqual([{ name: 'status', type: 'string' }]);
  });

  it('removed_fields sent by a client are replaced by the ones the history gives', () => {
    const next = entity([{ name: 'name', type: 'string' }], { removed_fields: [{ name: 'ghost', type: 'json' }] });
    expect(changes(v1, next).definition.removed_fields).toEqual([
      { name: 'phone', type: 'string' },
      { name: 'status', type: 'string' },
    ]);
    const all = entity([
      { name: 'name', type: 'string', required: true },
      { name: 'phone', type: 'string' },
      { name: 'status', type: 'string', enum: ['active', 'inactive'] },
    ], { removed_fields: [{ name: 'ghost', type: 'json' }] });
    expect(changes(v1, all).definition).not.toHaveProperty('removed_fields');
  });

  it('refuses a new name or a new primary key', () => {
    const renamed = { ...v1, name: 'client' };
    const otherKey = entity([{ name: 'code', type: 'string' }], { primary_key: { field: 'code', type: 'string' } });
    const a = entityChanges(v1, renamed);
    const b = entityChanges(v1, otherKey);
    expect(a.ok || a.details).toEqual([{ field: 'name', rule: 'immutable', message: expect.any(String) }]);
    expect(b.ok || b.details.map((d) => d.field)).toEqual(['primary_key.field', 'primary_key.type']);
  });

  it('Takes’ settings may change freely', () => {
    const next = { ...v1, history: false, stale_write: 'overwrite' as const };
    expect(changes(v1, next)).toMatchObject({ added: [], removed: [], changed: [] });
  });
});
