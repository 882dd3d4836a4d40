/**
 * A promise-based mutual exclusion lock for one process: `run` waits for the holders
 * before it, in call order, and releases the lock however its function ends. The live
 * projector holds it while it applies a batch; a rebuild holds it for its final swap,
 * so no batch is half-applied to a table that is being replaced.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` alone: after every earlier holder released the lock, before any later one. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const previous = this.tail;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
