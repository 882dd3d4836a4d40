export interface PlaceKeeperOptions {
  /** Writes the place to PostgreSQL (forward only: a late save never takes it back). */
  save(position: number): Promise<void>;
  /** How soon a place that moved without being saved is saved (ms). */
  saveAfterMs: number;
  /** The reader's name in log lines ("review queue"). */
  name: string;
  /** Told each save that failed; unless it was the save on stop, it is tried again saveAfterMs later. */
  log: { warn(obj: object, msg: string): void };
}

/**
 * A reader's place in the event stream (the last position it applied) for a reader whose
 * events mostly change nothing of its own: those move the place in memory only, and it
 * is saved within saveAfterMs, or on stop. A batch that does change something saves the
 * place in its own transaction (savedWith). A save that fails is tried again. Losing the
 * unsaved part in a crash only means reading those events again, and they change nothing
 * again.
 */
export class PlaceKeeper {
  private appliedTo: number;
  private savedTo: number;
  private timer?: NodeJS.Timeout;
  /** A save is out: the next is scheduled once it is done, never beside it. */
  private saving = false;
  private stopped = false;

  constructor(start: number, private readonly options: PlaceKeeperOptions) {
    this.appliedTo = start;
    this.savedTo = start;
  }

  /** The last position applied, saved or not. */
  get applied(): number {
    return this.appliedTo;
  }

  /** The place as this process last saved it (at most `applied`). */
  get saved(): number {
    return this.savedTo;
  }

  /** Events up to `position` were applied and changed nothing: the place is saved later. */
  moved(position: number): void {
    this.appliedTo = Math.max(this.appliedTo, position);
    this.schedule();
  }

  /** Events up to `position` were applied, the place saved with their effects. */
  savedWith(position: number): void {
    this.appliedTo = Math.max(this.appliedTo, position);
    this.savedTo = Math.max(this.savedTo, position);
  }

  /** Saves what is not saved yet, now; no timed saves after this. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.saveNow();
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.saving || this.appliedTo <= this.savedTo) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.saveNow().then(() => this.schedule());
    }, this.options.saveAfterMs);
    this.timer.unref();
  }

  private async saveNow(): Promise<void> {
    const position = this.appliedTo;
    if (position <= this.savedTo) return;
    this.saving = true;
    try {
      await this.options.save(position);
      this.savedTo = Math.max(this.savedTo, position);
    } catch (error) {
      const { name, log } = this.options;
      log.warn({ err: error, position }, this.stopped
        ? `${name} watermark not saved on stop; the next leader reads the events after the saved one again`
        : `${name} watermark not saved; tried again shortly`);
    } finally {
      this.saving = false;
    }
  }
}
