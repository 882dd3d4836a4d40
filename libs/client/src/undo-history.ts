import type { PendingEdit } from './pending-edit';

/**
 * Per record, the local edits that may still be taken back (newest last, at most `depth`)
 * and the ones taken back that may be made again. A new edit clears what could be made
 * again; an edit the server has acknowledged can no longer be taken back.
 */
export class UndoHistory {
  private readonly history = new Map<string, PendingEdit[]>();
  private readonly takenBack = new Map<string, PendingEdit[]>();

  constructor(private readonly depth: number) {}

  /** A new edit of the record (a redo keeps the rest of what can be made again). */
  made(key: string, edit: PendingEdit, fromRedo: boolean): void {
    const list = this.history.get(key) ?? [];
    list.push(edit);
    if (list.length > this.depth) list.splice(0, list.length - this.depth);
    this.history.set(key, list);
    if (!fromRedo) this.takenBack.delete(key);
  }

  lastMade(key: string): PendingEdit | undefined {
    return this.history.get(key)?.at(-1);
  }

  lastUndone(key: string): PendingEdit | undefined {
    return this.takenBack.get(key)?.at(-1);
  }

  /** Moves the record's last edit to what can be made again. */
  takeBack(key: string): PendingEdit | undefined {
    const edit = this.history.get(key)?.pop();
    if (edit) this.takenBack.set(key, [...(this.takenBack.get(key) ?? []), edit]);
    return edit;
  }

  /** The next edit to make again, taken off the list. */
  redoNext(key: string): PendingEdit | undefined {
    return this.takenBack.get(key)?.pop();
  }

  /** The server acknowledged these edits: they, and any edit of theirs before them, can no longer be taken back. */
  forget(commandIds: Iterable<string>): void {
    const ids = new Set(commandIds);
    for (const [key, list] of this.history) {
      const i = list.findLastIndex((edit) => ids.has(edit.command_id));
      if (i >= 0) list.splice(0, i + 1);
      if (list.length === 0) this.history.delete(key);
    }
  }
}
