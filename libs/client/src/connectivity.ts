type OnlineTarget = { addEventListener(type: string, listener: () => void): void; removeEventListener(type: string, listener: () => void): void };

/**
 * Whether the network is there: set by the app, and followed from the browser's
 * `online`/`offline` events where there are any (navigator.onLine gives the start).
 */
export class Connectivity {
  private value: boolean;
  private readonly target: OnlineTarget | undefined;
  private readonly goOnline = () => this.set(true);
  private readonly goOffline = () => this.set(false);

  constructor(
    initial: boolean | undefined,
    watch: boolean,
    private readonly onChange: (online: boolean) => void,
  ) {
    const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
    this.value = initial ?? (typeof nav?.onLine === 'boolean' ? nav.onLine : true);
    const target = (globalThis as { window?: OnlineTarget }).window;
    if (watch && target && typeof target.addEventListener === 'function') {
      this.target = target;
      target.addEventListener('online', this.goOnline);
      target.addEventListener('offline', this.goOffline);
    }
  }

  get online(): boolean {
    return this.value;
  }

  set(online: boolean): void {
    if (online === this.value) return;
    this.value = online;
    this.onChange(online);
  }

  stop(): void {
    this.target?.removeEventListener('online', this.goOnline);
    this.target?.removeEventListener('offline', this.goOffline);
  }
}
