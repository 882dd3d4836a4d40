import type { PatchOperation } from '@takes/contracts';
import type { RecordListener } from './listeners';
import type { TakesClient } from './takes-client';

/**
 * One record as the app works with it (MealPlanner's EntityHandle): its local state,
 * the server version its edits branch from, edits that apply locally at once and wait in
 * the outbox, save (push now), and undo/redo of the edits not yet sent.
 */
export class EntityHandle<T extends Record<string, unknown> = Record<string, unknown>> {
  constructor(
    private readonly client: TakesClient,
    readonly entity: string,
    readonly id: string,
  ) {}

  /** The record as the user sees it: the server's copy with pending edits on top; null when deleted or not on the device. */
  get state(): T | null {
    return this.client.get<T>(this.entity, this.id) ?? null;
  }

  /** The server version this device holds (the base its next edits branch from); 0 when the server has not got it yet. */
  get version(): number {
    return this.client.serverCopy(this.entity, this.id)?.version ?? 0;
  }

  /** The record as the server last answered it. */
  get serverState(): T | null {
    const copy = this.client.serverCopy(this.entity, this.id);
    return copy && !copy.deleted ? (copy.state as T) : null;
  }

  /** How many edits of this record wait to be sent or answered. */
  get pending(): number {
    return this.client.pendingOf(this.entity, this.id).length;
  }

  /** Sets the fields given (a PUT of those fields). */
  async update(fields: Partial<T>): Promise<void> {
    await this.client.edit(this.entity, this.id, 'put', { data: { ...fields } as Record<string, unknown> });
  }

  /** Applies RFC 6902 operations. */
  async patch(operations: PatchOperation[]): Promise<void> {
    await this.client.edit(this.entity, this.id, 'patch', { patch: operations });
  }

  async delete(): Promise<void> {
    await this.client.edit(this.entity, this.id, 'delete', {});
  }

  async restore(): Promise<void> {
    await this.client.edit(this.entity, this.id, 'restore', {});
  }

  /** Sends what is pending now (the whole outbox, in order) and pulls; rejects when the server cannot be reached (the edits stay, and are retried). */
  async save(): Promise<void> {
    await this.client.sync();
  }

  get canUndo(): boolean {
    return this.client.canUndo(this.entity, this.id);
  }

  get canRedo(): boolean {
    return this.client.canRedo(this.entity, this.id);
  }

  /** Takes back the last edit of this record if it has not been sent; false when there is none to take back. */
  undo(): Promise<boolean> {
    return this.client.undoLast(this.entity, this.id);
  }

  /** Makes the last undone edit again. */
  redo(): Promise<boolean> {
    return this.client.redoLast(this.entity, this.id);
  }

  /** Called with the state now and on every change, local or remote. */
  subscribe(listener: RecordListener<T>): () => void {
    return this.client.subscribe<T>(this.entity, this.id, listener);
  }
}
