// Test-only (not exported): one record's stream kept in memory, written through
// unzipTime the way the event store's decide step will, so the specs can play sync
// scenarios and check the events they leave.
import { compare } from 'fast-json-patch';
import { evolve, type Actor, type PatchOperation, type TakesEvent } from '@takes/contracts';
import type { MergePolicy } from '@takes/metadata';
import type { IncomingEdit, RecordVersion } from './edit';
import { clone } from './json-document';
import { unzipTime, type UnzipDecision } from './unzip-time';

export interface StreamWrite extends IncomingEdit {
  base_version: number;
  branch_ts?: string;
  user?: Actor;
  /** When the server appends it (the sync time); by default one second after the last append. */
  commit_at?: string;
}

export class InMemoryStream {
  readonly events: TakesEvent[] = [];
  private readonly versions: RecordVersion[] = [{ version: 0, state: {}, deleted: false }];
  private clock: number;

  constructor(
    initial: Record<string, unknown>,
    readonly policy: MergePolicy = 'field',
    createdAt = '2026-03-01T08:00:00.000Z',
  ) {
    this.clock = Date.parse(createdAt);
    this.push(
      { type: 'created', patch: compare({}, initial) as PatchOperation[], submitted: clone(initial), contested: [] },
      { command_id: 'create', device: null, submit_ts: createdAt, op: 'put', base_version: 0 },
      { version: 1, state: clone(initial), deleted: false },
    );
  }

  get head(): RecordVersion {
    return this.versions[this.versions.length - 1];
  }

  at(version: number): RecordVersion {
    return this.versions[version];
  }

  /** The commit time the next event will get (the store's clock, one second per append). */
  nextCommitTs(): string {
    return new Date(this.clock + 1000).toISOString();
  }

  /** Decides the write against the stream as it is now and appends what was decided. */
  write(edit: StreamWrite, policy: MergePolicy = this.policy): UnzipDecision {
    if (edit.commit_at) this.clock = Math.max(this.clock, Date.parse(edit.commit_at) - 1000);
    if (Date.parse(edit.submit_ts) > this.clock + 1000) throw new Error(`submit_ts ${edit.submit_ts} is after the commit: clamp it first`);
    const decision = unzipTime({
      base: this.at(edit.base_version),
      head: this.head,
      since: this.events.slice(edit.base_version),
      edit,
      policy,
    });
    if (decision.kind === 'append') {
      decision.events.forEach((event, i) => {
        const last = i === decision.events.length - 1;
        const previous = this.head;
        const state = last ? decision.next : evolve(previous, event);
        this.push(event, edit, state);
      });
    }
    return decision;
  }

  private push(
    event: Pick<TakesEvent, 'type' | 'patch' | 'submitted' | 'contested'>,
    edit: Omit<StreamWrite, 'data' | 'patch'>,
    state: RecordVersion,
  ): void {
    this.clock += 1000;
    const version = this.versions.length;
    this.events.push({
      v: 1,
      id: `evt-${version}`,
      command_id: edit.command_id,
      parent: edit.parent ?? null,
      app: 'main',
      entity: 'inspection',
      entity_id: 'r1',
      type: event.type,
      version,
      prior_version: version - 1,
      base_version: edit.base_version,
      patch: event.patch,
      submitted: event.submitted,
      contested: event.contested,
      branch_ts: edit.branch_ts ?? this.events[edit.base_version - 1]?.commit_ts ?? edit.submit_ts,
      submit_ts: edit.submit_ts,
      commit_ts: new Date(this.clock).toISOString(),
      position: version,
      user: edit.user ?? { id: `user-of-${edit.device ?? 'server'}`, roles: ['inspector'] },
      device: edit.device,
    });
    this.versions.push({ ...state, version });
  }
}
