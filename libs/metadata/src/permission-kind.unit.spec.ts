import { emptyMetadata, type AppMetadata } from './app-metadata';
import { parseEntityDefinition } from './entity-definition';
import { applyMetaChange } from './app-metadata';
import { permissionProblems, permissionValue } from './permission-kind';

const parsed = parseEntityDefinition({ name: 'inspection', fields: [{ name: 'id', type: 'uuid' }, { name: 'division', type: 'string' }, { name: 'pressure', type: 'decimal', precision: 2 }, { name: 'extra', type: 'json' }, { name: 'ok', type: 'boolean' }] });
if (!parsed.ok) throw new Error('entity');
const metadata: AppMetadata = { ...emptyMetadata(), entities: new Map([['inspection', parsed.value]]) };
const base = { name: 'p', id: 'p', entity: 'inspection', action: 'read' as const, roles: ['crew'] };

describe('the permission kind', () => {
  it("checks each condition against its entity's fields: exists, operator fits the type, literal fits the field", () => {
    expect(permissionProblems({ ...base, conditions: [{ field: 'division', operator: 'eq', value: '$user.division' }, { field: 'pressure', operator: 'lte', value: 100 }] }, metadata)).toEqual([]);
    const problems = permissionProblems({
      ...base,
      conditions: [
        { field: 'nope', operator: 'eq', value: 1 },
        { field: 'extra', operator: 'eq', value: 'x' },
        { field: 'ok', operator: 'gt', value: true },
        { field: 'pressure', operator: 'in', value: [1, 'lots'] },
        { field: 'division', operator: 'eq', value: '$user.a.b' },
      ],
    }, metadata);
    expect(problems.map((p) => `${p.field} ${p.rule}`)).toEqual(['conditions[0].field exists', 'conditions[1].operator operator', 'conditions[2].operator operator', 'conditions[3].value[1] type', 'conditions[4].value pattern']);
    expect(permissionProblems({ ...base, entity: 'ghost', conditions: [] }, metadata)).toEqual([{ field: 'entity', rule: 'exists', message: 'unknown entity ghost' }]);
  });

  it('is folded into the metadata like any kind, and values are read by their field', () => {
    const next = applyMetaChange(metadata, { key: 'permission:p', definition: { ...base, conditions: [] }, position: 1 });
    expect([...next.permissions.keys()]).toEqual(['p']);
    expect(applyMetaChange(next, { key: 'permission:p', definition: null, position: 2 }).permissions.size).toBe(0);
    expect(permissionValue(parsed.value)('pressure', 1.005)).toEqual({ ok: true, value: 1.01 });
    expect(permissionValue(parsed.value)('pressure', 'x')).toEqual({ ok: false });
  });
});
