import { initialState, evolve, type PatchOperation, type RecordState, type SyncResult, type TakesEvent } from '@takes/contracts';
import { DEFAULT_BACKOFF, retryDelay, type BackoffPolicy } from './backoff';
import { Connectivity } from './connectivity';
import { EntityHandle } from './entity-handle';
import { deviceFingerprint, keyMaker, uuidv7, type IdFormat } from './ids';
import { Listeners, type QueryListener, type RecordListener } from './listeners';
import { rebase, type LocalRecord, type ServerCopy } from './local-state';
import { Outbox } from './outbox';
import type { EditOp, PendingEdit } from './pending-edit';
import { toSyncEdit } from './pending-edit';
import { MemoryStorage, type ClientStorage, type StorageChange } from './storage';
import { TakesHttpError, Transport, type FetchLike, type Tokens } from './transport';
import { UndoHistory } from './undo-history';

export interface TakesClientOptions {
  /** The gateway, e.g. `http://localhost:8080`. */
  baseUrl: string;
  app: string;
  /** Where the outbox and the records are kept (memory when absent: nothing survives a restart). */
  storage?: ClientStorage;
  fetch?: FetchLike;
  /** Keys of records created on the device: UUID v7 (default) or `millis:counter:device`. */
  idFormat?: IdFormat;
  /** How many local edits of a record can be undone (default 10). */
  undoDepth?: number;
  /** Edits per `_sync` request (default 100; the gateway takes up to TAKES_SYNC_MAX_EDITS). */
  batchSize?: number;
  /** After a local edit, push this long later (ms; default 1000), so an undo right after an edit never reaches the server; `null`: only on sync() or save(). */
  pushDelayMs?: number | null;
  /** Pull remote changes this often while online (ms; default 30 000; `null`: only on sync()). */
  pullIntervalMs?: number | null;
  /** Retry delays after a failed sync (default 5 s doubling to 60 s, 20 % jitter). */
  backoff?: Partial<BackoffPolicy>;
  /** Whether to start online (default: navigator.onLine where there is one, else true). */
  online?: boolean;
  /** Follow the browser's online/offline events (default true where there are any). */
  watchConnectivity?: boolean;
  /** A session to start with (otherwise the one kept in storage, or login()). */
  tokens?: Tokens;
  /** Called with each new token pair; they are also kept in storage unless keepTokens is false. */
  onTokens?: (tokens: Tokens) => void;
  keepTokens?: boolean;
  /** How long one request may take (ms; default 30 000). */
  requestTimeoutMs?: number;
}

/** What one edit's sync came to, as the client hands it to `on('result')` listeners. */
export interface EditResult {
  edit: PendingEdit;
  result: SyncResult;
}

export interface SyncStatus {
  online: boolean;
  pending: number;
  syncing: boolean;
  /** The last failure of a sync, until one succeeds. */
  lastError?: Error;
  /** When the next automatic attempt is due (ms since the epoch). */
  nextAttemptAt?: number;
}

type ClientEvent = 'result' | 'status';
type ClientListener = { result: (r: EditResult) => void; status: (s: SyncStatus) => void };

const RETRYABLE_CODES = new Set(['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_ERROR']);
const recordKey = (entity: string, id: string) => `${entity}/${id}`;
const copyKey = (key: string) => `record/${key}`;

/**
 * An offline-first client of one Takes app. Records live on the device: edits change
 * local state at once and wait in a durable outbox; sync pushes the outbox with `_sync`
 * and pulls everything else with `_changes`, then replays the edits still pending on top
 * of the server's state (a rebase). Each edit keeps its command id, so sending it again
 * after a crash or a lost answer never applies it twice.
 */
export class TakesClient {
  readonly deviceId: string;
  /** What the server is told about this device: a hash of its id. */
  readonly device: string;
  private readonly transport: Transport;
  private readonly listeners = new Listeners();
  private readonly clientListeners: { [K in ClientEvent]: Set<ClientListener[K]> } = { result: new Set(), status: new Set() };
  private readonly undo: UndoHistory;
  private readonly backoff: BackoffPolicy;
  private readonly newKey: () => string;
  private readonly connectivity: Connectivity;
  private readonly sending = new Set<string>();
  private running: Promise<void> | undefined;
  private editing: Promise<unknown> = Promise.resolve();
  private again = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pullTimer: ReturnType<typeof setInterval> | undefined;
  private lastError: Error | undefined;
  private nextAttemptAt: number | undefined;
  private closed = false;

  private constructor(
    private readonly options: TakesClientOptions,
    private readonly storage: ClientStorage,
    private readonly outbox: Outbox,
    private readonly copies: Map<string, ServerCopy>,
    private readonly definitions: Map<string, RecordState>,
    private cursor: string | undefined,
    deviceId: string,
    tokens: Tokens | undefined,
  ) {
    this.deviceId = deviceId;
    this.device = deviceFingerprint(deviceId);
    this.newKey = keyMaker(options.idFormat ?? 'uuidv7', this.device);
    this.undo = new UndoHistory(options.undoDepth ?? 10);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.transport = new Transport({
      baseUrl: options.baseUrl.replace(/\/$/, ''),
      app: options.app,
      fetch: options.fetch,
      timeoutMs: options.requestTimeoutMs,
      onTokens: async (next) => {
        if (options.keepTokens !== false) await storage.write([{ key: 'meta/tokens', value: next }]);
        options.onTokens?.(next);
      },
    });
    this.transport.setTokens(tokens);
    this.connectivity = new Connectivity(options.online, options.watchConnectivity ?? true, (online) => {
      this.emitStatus();
      if (online) {
        this.attempt = 0;
        this.schedule(0, true);
      }
    });
    if (options.pullIntervalMs !== null) {
      this.pullTimer = setInterval(() => this.schedule(0), options.pullIntervalMs ?? 30_000);
      // In Node, a client alone must not keep the process alive.
      (this.pullTimer as { unref?: () => void }).unref?.();
    }
  }

  /** Opens the client on its storage: the outbox, the records and the cursor come back as they were left. */
  static async open(options: TakesClientOptions): Promise<TakesClient> {
    const storage = options.storage ?? new MemoryStorage();
    const outbox = await Outbox.load(storage);
    const copies = new Map<string, ServerCopy>();
    for (const [key, copy] of await storage.entries<ServerCopy>('record/')) copies.set(key.slice('record/'.length), copy);
    let deviceId = await storage.get<string>('meta/device');
    if (!deviceId) {
      deviceId = uuidv7();
      await storage.write([{ key: 'meta/device', value: deviceId }]);
    }
    const definitions = new Map<string, RecordState>();
    for (const [key, definition] of await storage.entries<RecordState>('meta/entity:')) definitions.set(key.slice('meta/entity:'.length), definition);
    const tokens = options.tokens ?? (options.keepTokens === false ? undefined : await storage.get<Tokens>('meta/tokens'));
    const client = new TakesClient(options, storage, outbox, copies, definitions, await storage.get<string>('meta/cursor'), deviceId, tokens);
    if (outbox.size > 0 && options.pushDelayMs !== null) client.schedule(options.pushDelayMs ?? 1000);
    return client;
  }

  /** Signs in with the app's login; the tokens are kept (and refreshed) from then on. */
  async login(email: string, password: string): Promise<void> {
    await this.transport.login(email, password);
    this.schedule(0, true);
  }

  get status(): SyncStatus {
    return {
      online: this.connectivity.online,
      pending: this.outbox.size,
      syncing: this.running !== undefined,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.nextAttemptAt ? { nextAttemptAt: this.nextAttemptAt } : {}),
    };
  }

  /** Tells the client whether the network is there (also followed from the browser's events). */
  setOnline(online: boolean): void {
    this.connectivity.set(online);
  }

  on<K extends ClientEvent>(event: K, listener: ClientListener[K]): () => void {
    this.clientListeners[event].add(listener);
    return () => this.clientListeners[event].delete(listener);
  }

  /** A handle on one record (it need not be on the device yet). */
  record<T extends Record<string, unknown> = Record<string, unknown>>(entity: string, id: string): EntityHandle<T> {
    return new EntityHandle<T>(this, entity, String(id));
  }

  /** Creates a record on the device, with a key made here unless `id` is given. */
  async create<T extends Record<string, unknown> = Record<string, unknown>>(entity: string, data: Partial<NoInfer<T>>, id: string = this.newKey()): Promise<EntityHandle<T>> {
    // The record's key field (known from the entity definitions _changes carries) holds the key from the start, as it will on the server.
    const keyField = (this.definitions.get(entity)?.state.primary_key as { field?: string } | undefined)?.field;
    const values = { ...data } as Record<string, unknown>;
    if (keyField && values[keyField] === undefined) values[keyField] = id;
    await this.edit(entity, id, 'create', { data: values });
    return this.record<T>(entity, id);
  }

  /** A key in the client's format, for a record the app will create. */
  makeKey(): string {
    return this.newKey();
  }

  /** A record's local state (the server's copy with pending edits on top), or undefined when deleted or unknown. */
  get<T = Record<string, unknown>>(entity: string, id: string): T | undefined {
    const record = this.local(recordKey(entity, String(id)));
    return record && !record.deleted ? (record.state as T) : undefined;
  }

  /** The entity's records on the device (deleted ones left out), in key order. */
  list<T = Record<string, unknown>>(entity: string, where: (record: T) => boolean = () => true): T[] {
    return this.liveRecords(entity).filter((record) => where(record as T)) as T[];
  }

  /** Called with the record's local state now and on every change, local or remote. */
  subscribe<T = Record<string, unknown>>(entity: string, id: string, listener: RecordListener<T>): () => void {
    const off = this.listeners.onRecord(recordKey(entity, String(id)), listener);
    listener(this.get<T>(entity, id) ?? null);
    return off;
  }

  /** Called with the entity's matching records now and on every change of one of them, local or remote. */
  subscribeQuery<T = Record<string, unknown>>(entity: string, where: (record: T) => boolean, listener: QueryListener<T>): () => void {
    const off = this.listeners.onQuery({ entity, where: where as (r: Record<string, unknown>) => boolean, listener });
    listener(this.list<T>(entity, where));
    return off;
  }

  /** Pushes the outbox and pulls the changes now; resolves when both are done (rejects when they fail; a retry is then scheduled). */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.clearTimer();
    this.running = this.runSync().finally(() => {
      this.running = undefined;
      this.emitStatus();
      if (this.again && !this.closed) {
        this.again = false;
        this.schedule(0);
      }
    });
    this.emitStatus();
    return this.running;
  }

  /** Pulls remote changes only (what sync does after pushing); pending edits stay pending and are replayed on top. */
  async pull(): Promise<void> {
    if (!this.connectivity.online) throw new TakesHttpError(0, undefined, true);
    await this.pullChanges();
  }

  /** Stops timers and closes the storage; pending edits stay in it for the next open. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    if (this.pullTimer) clearInterval(this.pullTimer);
    this.connectivity.stop();
    await this.running?.catch(() => undefined);
    await this.storage.close();
  }

  // ---- used by EntityHandle ----

  /** @internal The server's copy of a record. */
  serverCopy(entity: string, id: string): ServerCopy | undefined {
    return this.copies.get(recordKey(entity, id));
  }

  /** @internal The record's pending edits. */
  pendingOf(entity: string, id: string): PendingEdit[] {
    return this.outbox.forRecord(entity, id);
  }

  /**
   * @internal Records a local edit: stored in the outbox, applied locally, pushed later.
   * Edits are taken one at a time, so each one's parent is the edit made just before it
   * even when the app does not wait for the last one.
   */
  edit(entity: string, id: string, op: EditOp, payload: { data?: Record<string, unknown>; patch?: PatchOperation[] }, fromRedo = false): Promise<PendingEdit> {
    const next = this.editing.then(() => this.recordEdit(entity, id, op, payload, fromRedo));
    this.editing = next.catch(() => undefined);
    return next;
  }

  private async recordEdit(entity: string, id: string, op: EditOp, payload: { data?: Record<string, unknown>; patch?: PatchOperation[] }, fromRedo: boolean): Promise<PendingEdit> {
    const pending = this.outbox.forRecord(entity, id);
    const copy = this.copies.get(recordKey(entity, id));
    const first = pending[0];
    const chain = first
      ? { parent: pending.at(-1)!.command_id, base_version: first.base_version, branch_ts: first.branch_ts }
      : copy
        ? { base_version: copy.version, branch_ts: copy.received_at }
        : {};
    const edit = await this.outbox.add({
      command_id: uuidv7(),
      entity,
      id,
      op,
      ...chain,
      ...payload,
      submit_ts: new Date().toISOString(),
      device: this.device,
    });
    this.undo.made(recordKey(entity, id), edit, fromRedo);
    this.changed([recordKey(entity, id)]);
    if (this.options.pushDelayMs !== null) this.schedule(this.options.pushDelayMs ?? 1000);
    return edit;
  }

  /** @internal Whether the record's last local edit can still be taken back (not sent yet). */
  canUndo(entity: string, id: string): boolean {
    const last = this.undo.lastMade(recordKey(entity, id));
    return last !== undefined && this.outbox.forRecord(entity, id).at(-1)?.command_id === last.command_id && !this.sending.has(last.command_id);
  }

  /** @internal */
  canRedo(entity: string, id: string): boolean {
    return this.undo.lastUndone(recordKey(entity, id)) !== undefined;
  }

  /** @internal Takes the record's last unsent edit out of the outbox. */
  async undoLast(entity: string, id: string): Promise<boolean> {
    if (!this.canUndo(entity, id)) return false;
    const key = recordKey(entity, id);
    const edit = this.undo.takeBack(key)!;
    await this.outbox.remove([edit.command_id]);
    this.changed([key]);
    return true;
  }

  /** @internal Makes the last undone edit again (a new edit, with a new command id). */
  async redoLast(entity: string, id: string): Promise<boolean> {
    const edit = this.undo.redoNext(recordKey(entity, id));
    if (!edit) return false;
    await this.edit(entity, id, edit.op, { data: edit.data, patch: edit.patch }, true);
    return true;
  }

  // ---- sync ----

  private async runSync(): Promise<void> {
    if (!this.connectivity.online) throw new TakesHttpError(0, undefined, true);
    try {
      await this.push();
      await this.pullChanges();
      this.attempt = 0;
      this.lastError = undefined;
      this.nextAttemptAt = undefined;
    } catch (error) {
      this.lastError = error as Error;
      // A 401 here means the refresh failed too: the user must sign in again, retrying cannot help.
      const retryable = !(error instanceof TakesHttpError) || error.retryable;
      if (retryable && !this.closed) {
        this.attempt += 1;
        const delay = retryDelay(this.attempt, this.backoff, Math.random, error instanceof TakesHttpError ? error.retryAfterMs : undefined);
        this.schedule(delay);
      }
      throw error;
    }
  }

  /** Sends the outbox in batches, oldest first, and stores each answer. */
  private async push(): Promise<void> {
    const tried = new Set<string>();
    for (;;) {
      const batch = this.outbox
        .all()
        .filter((edit) => !tried.has(edit.command_id))
        .slice(0, this.options.batchSize ?? 100);
      if (batch.length === 0) return;
      for (const edit of batch) this.sending.add(edit.command_id);
      let results: SyncResult[];
      try {
        const { body } = await this.transport.request<{ data: SyncResult[] }>('POST', '/_sync', { edits: batch.map(toSyncEdit) });
        results = body.data;
      } finally {
        for (const edit of batch) this.sending.delete(edit.command_id);
      }
      const retry = await this.storeResults(batch, results);
      for (const edit of batch) tried.add(edit.command_id);
      if (retry) throw new TakesHttpError(503, { error: retry }, true);
    }
  }

  /** Stores what the server answered, in one storage write: the new server copies, and the answered edits out of the outbox. */
  private async storeResults(batch: PendingEdit[], results: SyncResult[]): Promise<SyncResult['error'] | undefined> {
    const done: string[] = [];
    const changes: StorageChange[] = [];
    const touched = new Set<string>();
    const told: EditResult[] = [];
    let retry: SyncResult['error'] | undefined;
    batch.forEach((edit, i) => {
      const result = results[i];
      if (!result) return;
      if (result.outcome === 'rejected' && RETRYABLE_CODES.has(result.error?.code ?? '')) {
        retry ??= result.error;
        return;
      }
      done.push(edit.command_id);
      told.push({ edit, result });
      const key = recordKey(edit.entity, edit.id);
      touched.add(key);
      const copy = this.copies.get(key);
      if (result.outcome !== 'rejected' && result.version !== undefined && result.record !== undefined && result.version > (copy?.version ?? 0)) {
        const next: ServerCopy = {
          entity: edit.entity,
          id: edit.id,
          version: result.version,
          state: result.record ?? copy?.state ?? {},
          deleted: result.record === null,
          received_at: new Date().toISOString(),
        };
        this.copies.set(key, next);
        changes.push({ key: copyKey(key), value: next });
      }
    });
    await this.storage.write([...changes, ...this.outbox.removal(done)]);
    this.outbox.forget(done);
    this.undo.forget(done);
    this.changed(touched);
    for (const item of told) for (const listener of this.clientListeners.result) listener(item);
    return retry;
  }

  /** Follows `_changes` from the stored cursor to the end, folding each event into the server copies. */
  private async pullChanges(): Promise<void> {
    for (;;) {
      const query = `?limit=500${this.cursor ? `&since=${encodeURIComponent(this.cursor)}` : ''}`;
      const { body } = await this.transport.request<{ data: TakesEvent[]; meta: { next: string; has_more: boolean } }>('GET', `/_changes${query}`);
      const touched = new Set<string>();
      const changes: StorageChange[] = [];
      for (const event of body.data) {
        if (event.entity === '_meta' && event.entity_id.startsWith('entity:')) {
          const name = event.entity_id.slice('entity:'.length);
          const definition = evolve(this.definitions.get(name) ?? initialState(), event);
          this.definitions.set(name, definition);
          changes.push({ key: `meta/${event.entity_id}`, value: definition });
          continue;
        }
        if (event.entity.startsWith('_')) continue;
        const key = recordKey(event.entity, event.entity_id);
        const copy = await this.folded(key, event);
        if (!copy) continue;
        this.copies.set(key, copy);
        changes.push({ key: copyKey(key), value: copy });
        touched.add(key);
      }
      this.cursor = body.meta.next;
      await this.storage.write([...changes, { key: 'meta/cursor', value: this.cursor }]);
      this.changed(touched);
      if (!body.meta.has_more) return;
    }
  }

  /** The server copy after an event: folded with evolve when it is the next version, read from the record's events when some are missing, unchanged when already seen. */
  private async folded(key: string, event: TakesEvent): Promise<ServerCopy | undefined> {
    const copy = this.copies.get(key);
    const version = copy?.version ?? 0;
    if (event.version <= version) return undefined;
    let events: TakesEvent[] = [event];
    if (event.version !== version + 1) {
      const path = `/${event.entity}/${encodeURIComponent(event.entity_id)}/events?from_version=${version + 1}&limit=1000`;
      events = (await this.transport.request<{ data: TakesEvent[] }>('GET', path)).body.data.filter((e) => e.version <= event.version);
    }
    let state = copy ? { version: copy.version, state: copy.state, deleted: copy.deleted } : initialState();
    for (const e of events) state = evolve(state, e);
    return { entity: event.entity, id: event.entity_id, version: state.version, state: state.state, deleted: state.deleted, received_at: new Date().toISOString() };
  }

  // ---- local state and notifications ----

  private local(key: string): LocalRecord | undefined {
    const slash = key.indexOf('/');
    return rebase(this.copies.get(key), this.outbox.forRecord(key.slice(0, slash), key.slice(slash + 1)));
  }

  private liveRecords(entity: string): Record<string, unknown>[] {
    const keys = new Set<string>();
    for (const key of this.copies.keys()) if (key.startsWith(`${entity}/`)) keys.add(key);
    for (const edit of this.outbox.all()) if (edit.entity === entity) keys.add(recordKey(edit.entity, edit.id));
    return [...keys]
      .sort()
      .map((key) => this.local(key))
      .filter((record): record is LocalRecord => record !== undefined && !record.deleted)
      .map((record) => record.state);
  }

  private changed(keys: Iterable<string>): void {
    this.listeners.changed(
      keys,
      (key) => this.local(key),
      (entity) => this.liveRecords(entity),
    );
    this.emitStatus();
  }

  private emitStatus(): void {
    const status = this.status;
    for (const listener of this.clientListeners.status) listener(status);
  }

  /** Plans a sync; while a failed one waits out its backoff, only `urgent` (back online, signed in) comes sooner. */
  private schedule(delayMs: number, urgent = false): void {
    if (this.closed || !this.connectivity.online || !this.transport.signedIn) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.nextAttemptAt !== undefined && (this.nextAttemptAt <= at || (this.attempt > 0 && !urgent))) return;
    this.clearTimer();
    this.nextAttemptAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sync().catch(() => undefined);
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
