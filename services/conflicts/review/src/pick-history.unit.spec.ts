import type { FieldHistory, FieldTake } from './api-shapes';
import { PickHistory, restoreBody } from './pick-history';

function take(event: string, value: unknown, current = false): FieldTake {
  const ts = '2026-12-03T10:00:00.000Z';
  return { value, removed: false, applied: true, current, contested: true, picked: false, event_id: event, type: 'updated', version: 1, user: { id: 'u', roles: [] }, device: null, branch_ts: ts, submit_ts: ts, commit_ts: ts };
}

describe('undoing a pick', () => {
  const pressure: FieldHistory = { field: '/pressure', value: 39, contested: true, takes: [take('e1', 41.5), take('e2', 40), take('e3', 39, true)] };

  it('re-picks the take that was current before the pick, or the value when no take holds it', () => {
    expect(restoreBody(pressure)).toEqual({ field: '/pressure', take: 'e3' });
    expect(restoreBody({ field: '/notes', value: 'typed in', contested: false, takes: [take('e1', 'a')] })).toEqual({ field: '/notes', value: 'typed in' });
  });

  it('keeps the picks of each record, the last one undone first', () => {
    const picks = new PickHistory();
    picks.picked('inspection\u001f1', pressure, pressure.takes[1]);
    picks.picked('inspection\u001f1', { ...pressure, value: 40, takes: [...pressure.takes.map((t) => ({ ...t, current: false })), take('e4', 40, true)] }, pressure.takes[0]);
    picks.picked('inspection\u001f2', pressure, pressure.takes[0]);
    expect(picks.last('inspection\u001f1')).toMatchObject({ field: '/pressure', take: { event_id: 'e1' }, undo: { field: '/pressure', take: 'e4' } });
    picks.undone('inspection\u001f1');
    expect(picks.last('inspection\u001f1')).toMatchObject({ take: { event_id: 'e2' }, undo: { take: 'e3' } });
    picks.undone('inspection\u001f1');
    expect(picks.last('inspection\u001f1')).toBeUndefined();
    expect(picks.last('inspection\u001f2')).toMatchObject({ take: { event_id: 'e1' } });
  });
});
