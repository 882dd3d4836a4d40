import type { FieldHistory, FieldTake } from './api-shapes';

/** A take placed on the time axis: its left edge in pixels and the lane of its row it sits in. */
export interface PlacedTake {
  take: FieldTake;
  x: number;
  lane: number;
}

/** One field's row: its takes in submit order (the order the arrow keys follow), stacked in lanes where they would overlap. */
export interface TrackRow {
  history: FieldHistory;
  takes: PlacedTake[];
  lanes: number;
}

export interface TrackLayout {
  /** The first and the last submit time of any take (ms since the epoch). */
  start: number;
  end: number;
  width: number;
  rows: TrackRow[];
}

export interface TrackOptions {
  /** Width of the time axis in pixels. */
  width: number;
  /** Width of one take's block in pixels (takes closer than this in a row are stacked). */
  blockWidth: number;
  /** Space kept between two blocks of one lane. */
  gap?: number;
}

const submitted = (take: FieldTake) => Date.parse(take.submit_ts);
const bySubmit = (a: FieldTake, b: FieldTake) => submitted(a) - submitted(b) || a.version - b.version;

/**
 * The track view's geometry: one row per field, each take a block placed by its submit
 * time on one axis shared by every row; blocks that would overlap go to the next lane
 * of their row.
 */
export function trackLayout(histories: readonly FieldHistory[], options: TrackOptions): TrackLayout {
  const gap = options.gap ?? 4;
  const times = histories.flatMap((history) => history.takes.map(submitted));
  const start = times.length ? Math.min(...times) : 0;
  const end = times.length ? Math.max(...times) : 0;
  const span = Math.max(0, options.width - options.blockWidth);
  const xOf = (time: number) => (end > start ? Math.round(((time - start) / (end - start)) * span) : 0);
  const rows = histories.map((history) => {
    const laneEnds: number[] = [];
    const takes = [...history.takes].sort(bySubmit).map((take) => {
      const x = xOf(submitted(take));
      let lane = laneEnds.findIndex((right) => right + gap <= x);
      if (lane === -1) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = x + options.blockWidth;
      return { take, x, lane };
    });
    return { history, takes, lanes: Math.max(1, laneEnds.length) };
  });
  return { start, end, width: options.width, rows };
}

/** Evenly spaced moments of the axis, with their x, for its tick labels. */
export function axisTicks(layout: TrackLayout, blockWidth: number, count = 4): { x: number; time: number }[] {
  if (layout.end <= layout.start) return [{ x: 0, time: layout.start }];
  const span = Math.max(0, layout.width - blockWidth);
  return Array.from({ length: count + 1 }, (_, i) => ({ x: Math.round((span * i) / count), time: layout.start + ((layout.end - layout.start) * i) / count }));
}

/** Where a take sits in the layout: its row and its index in the row's submit order. */
export interface TakeSpot {
  row: number;
  index: number;
}

export type TrackKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

/**
 * The take a key moves to: left and right to the previous and next take of the field,
 * up and down to the nearest take in time of the field above or below (rows without
 * takes are skipped), Home and End to the field's first and last. Null: nowhere to go.
 */
export function moveInTrack(layout: TrackLayout, from: TakeSpot, key: TrackKey): TakeSpot | null {
  const row = layout.rows[from.row];
  if (!row) return null;
  switch (key) {
    case 'ArrowLeft':
      return from.index > 0 ? { row: from.row, index: from.index - 1 } : null;
    case 'ArrowRight':
      return from.index < row.takes.length - 1 ? { row: from.row, index: from.index + 1 } : null;
    case 'Home':
      return row.takes.length ? { row: from.row, index: 0 } : null;
    case 'End':
      return row.takes.length ? { row: from.row, index: row.takes.length - 1 } : null;
    case 'ArrowUp':
    case 'ArrowDown': {
      const step = key === 'ArrowUp' ? -1 : 1;
      const x = row.takes[from.index]?.x ?? 0;
      for (let r = from.row + step; r >= 0 && r < layout.rows.length; r += step) {
        const takes = layout.rows[r].takes;
        if (takes.length === 0) continue;
        let nearest = 0;
        takes.forEach((take, i) => {
          if (Math.abs(take.x - x) < Math.abs(takes[nearest].x - x)) nearest = i;
        });
        return { row: r, index: nearest };
      }
      return null;
    }
  }
}

/** Where focus starts: the current take of the first contested field, else of the first field with takes. */
export function firstSpot(layout: TrackLayout): TakeSpot | null {
  const contested = layout.rows.findIndex((row) => row.history.contested && row.takes.length > 0);
  const rowIndex = contested !== -1 ? contested : layout.rows.findIndex((row) => row.takes.length > 0);
  if (rowIndex === -1) return null;
  const current = layout.rows[rowIndex].takes.findIndex((placed) => placed.take.current);
  return { row: rowIndex, index: current === -1 ? 0 : current };
}

/** The spot of the take of `field` made by event `eventId` (to put focus back after a reload). */
export function spotOf(layout: TrackLayout, field: string, eventId: string): TakeSpot | null {
  const row = layout.rows.findIndex((r) => r.history.field === field);
  if (row === -1) return null;
  const index = layout.rows[row].takes.findIndex((placed) => placed.take.event_id === eventId);
  return index === -1 ? null : { row, index };
}
