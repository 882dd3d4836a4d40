import type { FieldHistory, FieldTake } from './api-shapes';
import { axisTicks, firstSpot, moveInTrack, spotOf, trackLayout } from './track-layout';

const at = (second: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, second)).toISOString();

function take(event: string, second: number, extra: Partial<FieldTake> = {}): FieldTake {
  return {
    value: event, removed: false, applied: true, current: false, contested: false, picked: false,
    event_id: event, type: 'updated', version: second, user: { id: 'u1', roles: [] }, device: null,
    branch_ts: at(second), submit_ts: at(second), commit_ts: at(second), ...extra,
  };
}

const field = (name: string, takes: FieldTake[], contested = false): FieldHistory => ({ field: `/${name}`, value: null, contested, takes });

describe('the track view: takes on one time axis, one row per field', () => {
  it('places each take by its submit time on an axis shared by every row', () => {
    const layout = trackLayout([field('a', [take('a1', 0), take('a2', 10)]), field('b', [take('b1', 5)])], { width: 1100, blockWidth: 100 });
    expect([layout.start, layout.end]).toEqual([Date.parse(at(0)), Date.parse(at(10))]);
    expect(layout.rows.map((row) => row.takes.map((p) => [p.take.event_id, p.x, p.lane]))).toEqual([
      [['a1', 0, 0], ['a2', 1000, 0]],
      [['b1', 500, 0]],
    ]);
  });

  it('orders a row by submit time, whatever the version order, and stacks blocks that would overlap', () => {
    const layout = trackLayout([field('a', [take('late', 10, { version: 1 }), take('early', 0, { version: 2 }), take('close', 1, { version: 3 }), take('also', 1, { version: 4 })])], { width: 1100, blockWidth: 300 });
    const row = layout.rows[0];
    expect(row.takes.map((p) => [p.take.event_id, p.x, p.lane])).toEqual([['early', 0, 0], ['close', 80, 1], ['also', 80, 2], ['late', 800, 0]]);
    expect(row.lanes).toBe(3);
  });

  it('puts every take at the start when they share one moment, one lane each', () => {
    const layout = trackLayout([field('a', [take('x', 3), take('y', 3)])], { width: 500, blockWidth: 100 });
    expect(layout.rows[0].takes.map((p) => [p.x, p.lane])).toEqual([[0, 0], [0, 1]]);
    expect(axisTicks(layout, 100)).toEqual([{ x: 0, time: Date.parse(at(3)) }]);
  });

  it('ticks the axis evenly from the first submit to the last', () => {
    const layout = trackLayout([field('a', [take('a1', 0), take('a2', 8)])], { width: 500, blockWidth: 100 });
    expect(axisTicks(layout, 100, 4).map((tick) => [tick.x, new Date(tick.time).toISOString().slice(17, 19)])).toEqual([[0, '00'], [100, '02'], [200, '04'], [300, '06'], [400, '08']]);
  });
});

describe('moving between takes with the keyboard', () => {
  const layout = trackLayout(
    [field('a', [take('a1', 0), take('a2', 10, { current: true })]), field('empty', []), field('b', [take('b1', 1), take('b2', 6), take('b3', 9, { current: true })], true)],
    { width: 1100, blockWidth: 100 },
  );

  it('left and right within a field, Home and End to its ends, nowhere past them', () => {
    expect(moveInTrack(layout, { row: 2, index: 0 }, 'ArrowRight')).toEqual({ row: 2, index: 1 });
    expect(moveInTrack(layout, { row: 2, index: 1 }, 'ArrowLeft')).toEqual({ row: 2, index: 0 });
    expect(moveInTrack(layout, { row: 2, index: 0 }, 'ArrowLeft')).toBeNull();
    expect(moveInTrack(layout, { row: 2, index: 2 }, 'ArrowRight')).toBeNull();
    expect(moveInTrack(layout, { row: 2, index: 1 }, 'Home')).toEqual({ row: 2, index: 0 });
    expect(moveInTrack(layout, { row: 2, index: 0 }, 'End')).toEqual({ row: 2, index: 2 });
  });

  it('up and down to the take nearest in time of the next field that has takes', () => {
    expect(moveInTrack(layout, { row: 0, index: 1 }, 'ArrowDown')).toEqual({ row: 2, index: 2 });
    expect(moveInTrack(layout, { row: 0, index: 0 }, 'ArrowDown')).toEqual({ row: 2, index: 0 });
    expect(moveInTrack(layout, { row: 2, index: 1 }, 'ArrowUp')).toEqual({ row: 0, index: 1 });
    expect(moveInTrack(layout, { row: 0, index: 0 }, 'ArrowUp')).toBeNull();
    expect(moveInTrack(layout, { row: 2, index: 0 }, 'ArrowDown')).toBeNull();
  });

  it('starts on the current take of the first contested field, and finds a take again after a reload', () => {
    expect(firstSpot(layout)).toEqual({ row: 2, index: 2 });
    expect(firstSpot(trackLayout([field('a', [take('a1', 0), take('a2', 1)])], { width: 500, blockWidth: 100 }))).toEqual({ row: 0, index: 0 });
    expect(firstSpot(trackLayout([], { width: 500, blockWidth: 100 }))).toBeNull();
    expect(spotOf(layout, '/b', 'b2')).toEqual({ row: 2, index: 1 });
    expect(spotOf(layout, '/b', 'a1')).toBeNull();
    expect(spotOf(layout, '/c', 'b2')).toBeNull();
  });
});
