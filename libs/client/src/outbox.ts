import type { PendingEdit } from './pending-edit';
import type { ClientStorage, StorageChange } from './storage';

const PREFIX = 'outbox/';

/** The storage key of an edit: its sequence number padded, so keys sort in the order edits were made. */
export function outboxKey(seq: number): string {
  return `${PREFIX}${String(seq).padStart(15, '0')}`;
}

/**
 * The edits made on this device and not yet acknowledged, in the order they were made.
 * Each is in storage before it can be sent, and leaves storage only in the same write
 * that stores what the server answered, so a crash at any point leaves each edit either
 * still here (it is sent again, and the server, keyed by command id, applies it once) or
 * answered.
 */
export class Outbox {
  private constructor(
    private readonly storage: ClientStorage,
    private readonly edits: PendingEdit[],
    private nextSeq: number,
  ) {}

  static async load(storage: ClientStorage): Promise<Outbox> {
    const edits = (await storage.entries<PendingEdit>(PREFIX)).map(([, edit]) => edit).sort((a, b) => a.seq - b.seq);
    return new Outbox(storage, edits, (edits.at(-1)?.seq ?? 0) + 1);
  }

  /** Every pending edit, oldest first. */
  all(): readonly PendingEdit[] {
    return this.edits;
  }

  get size(): number {
    return this.edits.length;
  }

  /** The pending edits of one record, oldest first. */
  forRecord(entity: string, id: string): PendingEdit[] {
    return this.edits.filter((edit) => edit.entity === entity && edit.id === id);
  }

  /** Stores a new edit (its seq is given here) and keeps it. */
  async add(edit: Omit<PendingEdit, 'seq'>): Promise<PendingEdit> {
    const stored: PendingEdit = { ...edit, seq: this.nextSeq++ };
    await this.storage.write([{ key: outboxKey(stored.seq), value: stored }]);
    this.edits.push(stored);
    if (this.edits.length > 1 && this.edits[this.edits.length - 2].seq > stored.seq) this.edits.sort((a, b) => a.seq - b.seq);
    return stored;
  }

  /** The changes that take edits out of storage, to be written with whatever else must land with them. */
  removal(commandIds: Iterable<string>): StorageChange[] {
    const ids = new Set(commandIds);
    return this.edits.filter((edit) => ids.has(edit.command_id)).map((edit) => ({ key: outboxKey(edit.seq), delete: true as const }));
  }

  /** Forgets edits in memory once their removal has been written. */
  forget(commandIds: Iterable<string>): void {
    const ids = new Set(commandIds);
    for (let i = this.edits.length - 1; i >= 0; i -= 1) if (ids.has(this.edits[i].command_id)) this.edits.splice(i, 1);
  }

  /** Takes edits out now (an undo): out of memory at once, so a sync starting meanwhile cannot send them, then out of storage. */
  async remove(commandIds: string[]): Promise<void> {
    const changes = this.removal(commandIds);
    this.forget(commandIds);
    await this.storage.write(changes);
  }
}
