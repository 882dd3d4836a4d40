import { accessFor, compareNumbers, conditionHolds, parsePermission, rowAllowed, valueOrderOf, type NormalizeValue, type Permission } from './index';

const asIs: NormalizeValue = (_field, value) => ({ ok: true, value });
function permission(partial: Partial<Permission> & Pick<Permission, 'action'>): Permission {
  return { name: 'p', id: 'p', entity: 'inspection', roles: ['crew'], conditions: [], ...partial };
}
const crew = (attributes?: Record<string, unknown>) => ({ id: 'u-7', roles: ['crew'], ...(attributes ? { attributes } : {}) });

describe('parsePermission', () => {
  it("reads Rocket's shape and reports every problem at once", () => {
    expect(parsePermission({ id: 'p1', entity: 'invoice', action: 'update', roles: ['accountant'], conditions: [{ field: 'status', operator: 'in', value: ['draft', 'sent'] }] })).toEqual({
      ok: true,
      value: { name: 'p1', id: 'p1', entity: 'invoice', action: 'update', roles: ['accountant'], conditions: [{ field: 'status', operator: 'in', value: ['draft', 'sent'] }] },
    });
    const bad = parsePermission({ id: 'p2', entity: '', action: 'approve', roles: [''], conditions: [{ field: 'a', operator: 'like', value: 'x' }, { field: 'b', operator: 'in', value: 'x' }, { field: 'c', operator: 'eq', value: { $gt: 1 } }], extra: true });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.details.map((d) => d.field)).toEqual(['extra', 'entity', 'action', 'roles', 'conditions[0].operator', 'conditions[1].value', 'conditions[2].value']);
    expect(parsePermission(null).ok).toBe(false);
    expect(parsePermission({ id: 'p', entity: 'e', action: 'read', roles: ['r'], conditions: Array.from({ length: 21 }, () => ({ field: 'a', operator: 'eq', value: 1 })) }).ok).toBe(false);
  });
});

describe('accessFor: the whitelist', () => {
  it('admin bypasses; no permission for the roles is none; one without conditions is all', () => {
    const update = permission({ action: 'update', conditions: [{ field: 'division', operator: 'eq', value: 'north' }] });
    expect(accessFor([update], 'inspection', 'update', { id: 'a', roles: ['admin'] }, asIs)).toEqual({ kind: 'all' });
    expect(accessFor([update], 'inspection', 'delete', crew(), asIs)).toEqual({ kind: 'none' });
    expect(accessFor([update], 'site', 'update', crew(), asIs)).toEqual({ kind: 'none' });
    expect(accessFor([update], 'inspection', 'update', { id: 'u', roles: ['viewer'] }, asIs)).toEqual({ kind: 'none' });
    expect(accessFor([update, permission({ action: 'update', id: 'q' })], 'inspection', 'update', crew(), asIs)).toEqual({ kind: 'all' });
    expect(accessFor([update], 'inspection', 'update', crew(), asIs)).toEqual({ kind: 'rows', alternatives: [[{ field: 'division', operator: 'eq', values: ['north'] }]] });
  });

  it('resolves $user values; a missing attribute rules its permission out; a list attribute means any of it', () => {
    const own = permission({ action: 'read', conditions: [{ field: 'division', operator: 'eq', value: '$user.division' }, { field: 'inspector', operator: 'eq', value: '$user.id' }] });
    expect(accessFor([own], 'inspection', 'read', crew({ division: 'north' }), asIs)).toEqual({
      kind: 'rows',
      alternatives: [[{ field: 'division', operator: 'eq', values: ['north'] }, { field: 'inspector', operator: 'eq', values: ['u-7'] }]],
    });
    expect(accessFor([own], 'inspection', 'read', crew(), asIs)).toEqual({ kind: 'rows', alternatives: [] });
    const sites = permission({ action: 'read', conditions: [{ field: 'site', operator: 'eq', value: '$user.sites' }, { field: 'kind', operator: 'in', value: ['pipe', '$user.extra'] }] });
    expect(accessFor([sites], 'inspection', 'read', crew({ sites: ['s1', 's2'] }), asIs)).toEqual({
      kind: 'rows',
      alternatives: [[{ field: 'site', operator: 'in', values: ['s1', 's2'] }, { field: 'kind', operator: 'in', values: ['pipe'] }]],
    });
    // `gt` of a list has no single meaning: ruled out rather than guessed.
    const ordered = permission({ action: 'read', conditions: [{ field: 'level', operator: 'gt', value: '$user.levels' }] });
    expect(accessFor([ordered], 'inspection', 'read', crew({ levels: [1, 2] }), asIs)).toEqual({ kind: 'rows', alternatives: [] });
    // A value that does not fit the field's type rules the permission out too.
    const typed: NormalizeValue = (_field, value) => (typeof value === 'number' ? { ok: true, value } : { ok: false });
    const level = permission({ action: 'read', conditions: [{ field: 'level', operator: 'lte', value: '$user.level' }] });
    expect(accessFor([level], 'inspection', 'read', crew({ level: 'high' }), typed)).toEqual({ kind: 'rows', alternatives: [] });
  });
});

describe('rowAllowed: as the read tables SQL judges a row', () => {
  const order = (field: string) => valueOrderOf(({ pressure: 'decimal', at: 'timestamp', big: 'bigint' } as Record<string, string>)[field]);
  it('any alternative, every condition; null meets nothing, not even neq', () => {
    const access = { kind: 'rows' as const, alternatives: [[{ field: 'division', operator: 'eq' as const, values: ['north'] }, { field: 'status', operator: 'neq' as const, values: ['locked'] }], [{ field: 'owner', operator: 'eq' as const, values: ['u-7'] }]] };
    expect(rowAllowed(access, { division: 'north', status: 'draft' }, order)).toBe(true);
    expect(rowAllowed(access, { division: 'north', status: 'locked' }, order)).toBe(false);
    expect(rowAllowed(access, { division: 'north', status: null }, order)).toBe(false);
    expect(rowAllowed(access, { division: 'south', owner: 'u-7' }, order)).toBe(true);
    expect(rowAllowed({ kind: 'rows', alternatives: [] }, { division: 'north' }, order)).toBe(false);
    expect(rowAllowed({ kind: 'all' }, {}, order)).toBe(true);
    expect(rowAllowed({ kind: 'none' }, {}, order)).toBe(false);
    expect(conditionHolds(undefined, { field: 'x', operator: 'not_in', values: ['a'] }, 'text')).toBe(false);
  });

  it('compares decimals and bigints exactly, instants to the microsecond', () => {
    expect(compareNumbers('100.50', 100.5)).toBe(0);
    expect(compareNumbers('0.1', 0.10000000000000002)).toBe(-1);
    expect(compareNumbers('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareNumbers(-2, '-10')).toBe(1);
    expect(compareNumbers('-0', 0)).toBe(0);
    expect(compareNumbers('abc', 1)).toBeNull();
    expect(conditionHolds('10000.01', { field: 'pressure', operator: 'lte', values: [10000] }, order('pressure'))).toBe(false);
    expect(conditionHolds('2026-01-01T00:00:00.000500Z', { field: 'at', operator: 'gt', values: ['2026-01-01T00:00:00.000Z'] }, order('at'))).toBe(true);
    expect(conditionHolds('2026-01-01T00:00:00.000Z', { field: 'at', operator: 'gte', values: ['2026-01-01T00:00:00Z'] }, order('at'))).toBe(true);
    expect(conditionHolds(5, { field: 'x', operator: 'in', values: [1, 5] }, 'number')).toBe(true);
    expect(conditionHolds('5', { field: 'x', operator: 'eq', values: [5] }, 'text')).toBe(false);
  });
});
