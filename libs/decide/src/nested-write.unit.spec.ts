import { TakesError, type AppendCommand } from '@takes/contracts';
import type { Decision } from './decision';
import { nestedPartDecision, partsOf, partsProblem } from './nested-write';

const user = { id: 'u1', roles: ['admin'] };
const invoice: AppendCommand = {
  v: 1, command_id: 'c1', app: 'main', entity: 'invoice', entity_id: 'inv-1', op: 'put', data: { total: 3 }, submit_ts: '2026-11-20T08:00:00.000Z', user,
  children: [
    { entity: 'item', entity_id: 'it-1', op: 'create', data: { id: 'it-1' }, path: 'items[0]' },
    { entity: 'item', entity_id: 'it-2', op: 'delete' },
  ],
};
const applied: Decision = { kind: 'append', events: [], next: { version: 4, state: { total: 3 }, deleted: false }, outcome: 'applied', contested: [], reserve: [] };

describe('nested writes, kept whole or not at all', () => {
  it('are parts: the own record, then each child at its head with the command id', () => {
    const parts = partsOf(invoice);
    expect(parts.map((p) => [p.entity, p.entity_id, p.op, p.base_version ?? null])).toEqual([
      ['invoice', 'inv-1', 'put', null],
      ['item', 'it-1', 'create', null],
      ['item', 'it-2', 'delete', null],
    ]);
    expect(parts[0]).not.toHaveProperty('children');
    expect(parts.every((p) => p.command_id === 'c1' && p.submit_ts === invoice.submit_ts)).toBe(true);
  });

  it('may not write metadata, nor one record twice', () => {
    expect(partsProblem(partsOf(invoice))).toBeNull();
    const twice = { ...invoice, children: [invoice.children![0], invoice.children![0]] };
    expect(partsProblem(partsOf(twice))?.code).toBe('INVALID_PAYLOAD');
    const meta = { ...invoice, children: [{ entity: '_meta', entity_id: 'entity:x', op: 'create' as const }] };
    expect(partsProblem(partsOf(meta))?.message).toBe('a nested write cannot write metadata');
  });

  it('refuses the command when its own edit would be shelved; a lone shelved edit stays', () => {
    const shelved: Decision = { ...applied, outcome: 'shelved' } as Decision;
    expect(nestedPartDecision(invoice, 0, shelved)).toMatchObject({ kind: 'reject', error: { code: 'CONFLICT', details: { version: 3, current: { total: 3 } } } });
    expect(nestedPartDecision({ ...invoice, children: undefined }, 0, shelved)).toBe(shelved);
    expect(nestedPartDecision(invoice, 0, applied)).toBe(applied);
  });

  it('a child refused is the command refused, named by its path; NOT_FOUND and UNKNOWN_ENTITY become CONFLICT', () => {
    const unique: Decision = { kind: 'reject', error: new TakesError('CONFLICT', 'code "A" is taken', [{ field: 'code', rule: 'unique', message: 'code must be unique' }]) };
    expect(nestedPartDecision(invoice, 1, unique)).toMatchObject({ kind: 'reject', error: { code: 'CONFLICT', message: 'items[0] (item it-1): code "A" is taken', details: [{ field: 'items[0].code', rule: 'unique' }] } });
    const gone: Decision = { kind: 'reject', error: new TakesError('NOT_FOUND', 'item it-2 was deleted', { version: 2, deleted: true }) };
    expect(nestedPartDecision(invoice, 2, gone)).toMatchObject({ kind: 'reject', error: { code: 'CONFLICT', details: [{ field: 'children[1]', rule: 'conflict', message: 'item it-2 was deleted' }] } });
    expect(nestedPartDecision(invoice, 2, applied)).toBe(applied);
  });
});
