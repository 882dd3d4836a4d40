import type { FieldHistory, FieldTake } from './api-shapes';

/** The body of POST …/:id/resolve: a take (an event id) or a value, for a field (JSON Pointer). */
export type PickBody = { field: string; take: string } | { field: string; value: unknown };

/** A pick the reviewer made, with what puts the field back as it was before it. */
export interface Pick {
  field: string;
  take: FieldTake;
  undo: PickBody;
}

/** The pick that puts a field back to its value now: its current take again, or the value itself when no take holds it. */
export function restoreBody(history: FieldHistory): PickBody {
  const current = history.takes.find((take) => take.current);
  return current ? { field: history.field, take: current.event_id } : { field: history.field, value: history.value };
}

/** The reviewer's picks per record (entity and id), newest last: what `u` undoes. */
export class PickHistory {
  private readonly picks = new Map<string, Pick[]>();

  /** Records a pick of `take` for a field as the field was just before it. */
  picked(record: string, before: FieldHistory, take: FieldTake): void {
    const list = this.picks.get(record) ?? [];
    list.push({ field: before.field, take, undo: restoreBody(before) });
    this.picks.set(record, list);
  }

  /** The last pick on a record not yet undone. */
  last(record: string): Pick | undefined {
    return this.picks.get(record)?.at(-1);
  }

  /** Forgets the last pick (once its undo is done). */
  undone(record: string): void {
    this.picks.get(record)?.pop();
  }
}
