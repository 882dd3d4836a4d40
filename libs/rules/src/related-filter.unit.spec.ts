import { filterKey, meetsFilter } from './related-filter';

describe('related_load filters (Rocket filter syntax)', () => {
  it('reads a key as field and operator; a bare field is eq; an unknown operator is refused', () => {
    expect(filterKey('status')).toEqual({ field: 'status', op: 'eq' });
    expect(filterKey('status.in')).toEqual({ field: 'status', op: 'in' });
    expect(filterKey('total.gte')).toEqual({ field: 'total', op: 'gte' });
    expect(filterKey('status.among')).toBeNull();
  });

  it('every operator, on text, numbers and decimals kept as text; null meets no comparison', () => {
    const row = { status: 'sent', total: '100.50', count: 3, due: '2026-12-01', note: null };
    const meets = (filter: Record<string, unknown>) => meetsFilter(row, filter);
    expect([meets({ status: 'sent' }), meets({ status: 'paid' }), meets({ 'status.neq': 'paid' })]).toEqual([true, false, true]);
    expect([meets({ 'status.in': ['draft', 'sent', 'paid'] }), meets({ 'status.in': ['void'] }), meets({ 'status.not_in': ['void'] })]).toEqual([true, false, true]);
    expect([meets({ 'total.gt': 100 }), meets({ 'total.gte': '100.5' }), meets({ 'total.lt': 100.5 }), meets({ 'total.lte': 100.5 })]).toEqual([true, true, false, true]);
    expect([meets({ 'total.gt': 99 }), meets({ 'total.gt': 9 }), meets({ 'count.lt': 10 })]).toEqual([true, true, true]);
    expect([meets({ 'due.gte': '2026-11-30' }), meets({ 'due.lt': '2026-11-30' })]).toEqual([true, false]);
    expect([meets({ 'note.gt': 1 }), meets({ note: null }), meets({ 'note.neq': 'x' })]).toEqual([false, true, true]);
    expect(meets({ status: 'sent', 'total.gt': 1000 })).toBe(false);
    expect(meets({ 'status.among': ['sent'] })).toBe(false);
  });
});
