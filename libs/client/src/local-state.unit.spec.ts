import { applyEdit, rebase, type ServerCopy } from './local-state';
import type { PendingEdit } from './pending-edit';

const edit = (op: PendingEdit['op'], extra: Partial<PendingEdit> = {}): PendingEdit => ({
  seq: 1,
  command_id: `c-${Math.random()}`,
  entity: 'inspection',
  id: 'r1',
  op,
  submit_ts: '2026-12-03T08:00:00.000Z',
  device: 'd',
  ...extra,
});

const copy = (version: number, state: Record<string, unknown>): ServerCopy => ({ entity: 'inspection', id: 'r1', version, state, deleted: false, received_at: '2026-12-03T07:00:00.000Z' });

describe('local state', () => {
  it('put sets the fields it names, patch applies its operations, delete and restore flip the record', () => {
    let record = applyEdit({ state: {}, deleted: false }, edit('create', { data: { site: 'a', pressure: 1 } }));
    record = applyEdit(record, edit('put', { data: { pressure: 2 } }));
    record = applyEdit(record, edit('patch', { patch: [{ op: 'add', path: '/notes', value: ['ok'] }] }));
    expect(record).toEqual({ state: { site: 'a', pressure: 2, notes: ['ok'] }, deleted: false });
    expect(applyEdit(record, edit('delete')).deleted).toBe(true);
    expect(applyEdit(applyEdit(record, edit('delete')), edit('restore')).deleted).toBe(false);
  });

  it('a patch that no longer applies leaves the state for the server to decide', () => {
    const before = { state: { site: 'a' }, deleted: false };
    expect(applyEdit(before, edit('patch', { patch: [{ op: 'test', path: '/site', value: 'b' }, { op: 'replace', path: '/site', value: 'c' }] }))).toEqual(before);
  });

  it('rebase replays the pending edits on the newest server copy, so remote changes show under local ones', () => {
    const pending = [edit('put', { data: { pressure: 39 } }), edit('patch', { patch: [{ op: 'replace', path: '/status', value: 'done' }] })];
    expect(rebase(copy(1, { site: 'a', pressure: 41, status: 'draft' }), pending)?.state).toEqual({ site: 'a', pressure: 39, status: 'done' });
    // The server moved on (another device changed site and pressure): local edits stay on top.
    expect(rebase(copy(3, { site: 'b', pressure: 40, status: 'draft' }), pending)?.state).toEqual({ site: 'b', pressure: 39, status: 'done' });
    expect(rebase(copy(3, { site: 'b' }), [])?.state).toEqual({ site: 'b' });
    expect(rebase(undefined, [])).toBeUndefined();
  });

  it('does not change the server copy it replays on', () => {
    const server = copy(2, { site: 'a', list: [1] });
    rebase(server, [edit('patch', { patch: [{ op: 'add', path: '/list/-', value: 2 }] }), edit('put', { data: { site: 'z' } })]);
    expect(server.state).toEqual({ site: 'a', list: [1] });
  });
});
