import { effectOf, evolve, initialState, type Actor, type EventType, type TakesEvent } from '@takes/contracts';
import { overlaps, parsePointer, toPointer, valueAt, type JsonObject, type Path } from './json-document';
import { RECORD_CONTEST, RECORD_FIELD, isRecordContest } from './unzip-time';

/** One take of a field: the pair (event, field). */
export interface FieldTake {
  /** What the event set the field to if its patch changed it, else what it submitted (null when removed). */
  value: unknown;
  /** True when the value is "absent" (the field was removed), value is then null. */
  removed: boolean;
  /**
   * What the event's client submitted for the field, when it submitted something. It can
   * differ from `value` when the edit lost the field, or won only part of it.
   */
  submitted?: unknown;
  /** The event's patch changed (or set) the field: the value reached the record at this version. */
  applied: boolean;
  /** This take holds the field's current value (the last take that set it). */
  current: boolean;
  /** The field was disputed by this event, or by a merge this event was concurrent with. */
  contested: boolean;
  /** The take is a reviewer's pick (a `resolved` event). */
  picked: boolean;
  event_id: string;
  command_id: string;
  type: EventType;
  version: number;
  user: Actor;
  device: string | null;
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
}

/** A field's history: its current value and every take, in version order. */
export interface FieldHistory {
  /** JSON Pointer: top-level fields, plus the nested paths some event contested. */
  field: string;
  value: unknown;
  contested: boolean;
  takes: FieldTake[];
}

export interface FieldTakesOptions {
  /** Top-level fields the server manages (auto timestamps, `deleted_at`, computed fields): never a take, left out. */
  managed?: ReadonlySet<string>;
}

/**
 * Per-field history of a record, computed from its events alone (GET /history). Every
 * value any event submitted is a take; events are taken in version order. A record
 * whose existence was contested (an edit against a delete) has an entry `/_record`
 * whose takes are `{"deleted": true|false}` (see recordHistory).
 */
export function fieldTakes(events: readonly TakesEvent[], options: FieldTakesOptions = {}): FieldHistory[] {
  const ordered = [...events].sort((a, b) => a.version - b.version);
  const states: JsonObject[] = [];
  const deleted: boolean[] = [];
  let record = initialState();
  for (const event of ordered) {
    record = evolve(record, event);
    states.push(record.state as JsonObject);
    deleted.push(record.deleted);
  }
  const state = record.state as JsonObject;
  const managed = options.managed ?? new Set<string>();

  const fields = new Set<string>();
  let recordContested = false;
  for (const event of ordered) {
    for (const op of event.patch) {
      for (const pointer of [op.path, op.from]) {
        const first = pointer ? parsePointer(pointer)[0] : undefined;
        if (first !== undefined) fields.add(toPointer([first]));
      }
    }
    for (const key of Object.keys(event.submitted ?? {})) fields.add(toPointer([key]));
    for (const pointer of event.contested ?? []) {
      if (isRecordContest(pointer)) recordContested = true;
      else fields.add(pointer);
    }
  }
  for (const key of Object.keys(state)) fields.add(toPointer([key]));
  fields.delete(RECORD_CONTEST);
  const histories = [...fields].filter((field) => !managed.has(parsePointer(field)[0])).sort().map((field) => historyOf(field, ordered, states, state));
  if (recordContested || ordered.some((event) => Object.prototype.hasOwnProperty.call(event.submitted ?? {}, RECORD_FIELD))) {
    histories.push(recordHistory(ordered, deleted));
  }
  return histories.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/**
 * The whole-record contest's history (`/_record`): its value is `{"deleted": bool}`.
 * Takes: each event that set the record's existence (created, deleted, restored, a
 * pick), each shelved edit, delete or restore (what it wanted: an edit, the record
 * alive), and the edits made concurrently with a record contest (alive). A take's value
 * can be picked back with /resolve.
 */
function recordHistory(events: TakesEvent[], deleted: boolean[]): FieldHistory {
  const disputes = events.filter((event) => (event.contested ?? []).some(isRecordContest));
  const takes: FieldTake[] = [];
  events.forEach((event, i) => {
    const effect = effectOf(event.type);
    const before = i > 0 ? deleted[i - 1] : true;
    const picked = (event.submitted ?? {})[RECORD_FIELD] as { deleted?: unknown } | undefined;
    const contested = (event.contested ?? []).some(isRecordContest);
    const concurrent = concurrentWith(disputes, event);
    let wanted: boolean | undefined;
    let applied = false;
    if (effect.applies && (effect.deleted !== 'keep' || (effect.pick && picked !== undefined))) {
      wanted = deleted[i];
      applied = true;
    } else if (!effect.applies && (contested || concurrent)) {
      // A shelved edit wanted the record alive; a shelved delete or restore (nothing submitted) the other way round.
      wanted = Object.keys(event.submitted ?? {}).length > 0 ? false : !before;
    } else if (effect.edit && (contested || concurrent)) {
      wanted = false;
    }
    if (wanted === undefined) return;
    takes.push({
      value: { deleted: wanted },
      removed: false,
      applied,
      current: false,
      contested: contested || concurrent,
      picked: effect.pick && applied,
      ...takeSource(event),
    });
  });
  markCurrent(takes);
  return { field: RECORD_CONTEST, value: { deleted: deleted[deleted.length - 1] ?? false }, contested: disputes.length > 0, takes };
}

function historyOf(field: string, events: TakesEvent[], states: JsonObject[], final: JsonObject): FieldHistory {
  const path = parsePointer(field);
  const disputes = events.filter((event) => contests(event, path));
  const takes: FieldTake[] = [];
  events.forEach((event, i) => {
    const effect = effectOf(event.type);
    const applied = effect.applies && event.patch.some((op) => [op.path, op.from].some((p) => typeof p === 'string' && overlaps(parsePointer(p), path)));
    const submitted = valueAt(event.submitted ?? {}, path);
    const value = applied ? valueAt(states[i], path) : submitted;
    if (!applied && submitted === undefined) return;
    takes.push({
      value: value === undefined ? null : value,
      removed: value === undefined,
      ...(submitted === undefined ? {} : { submitted }),
      applied,
      current: false,
      contested:
        contests(event, path) ||
        concurrentWith(disputes, event),
      picked: effect.pick && applied,
      ...takeSource(event),
    });
  });
  markCurrent(takes);
  const value = valueAt(final, path);
  return { field, value: value === undefined ? null : value, contested: takes.some((take) => take.contested), takes };
}

/** The event a take comes from, as every take names it. */
function takeSource(event: TakesEvent): Pick<FieldTake, 'event_id' | 'command_id' | 'type' | 'version' | 'user' | 'device' | 'branch_ts' | 'submit_ts' | 'commit_ts'> {
  return {
    event_id: event.id,
    command_id: event.command_id,
    type: event.type,
    version: event.version,
    user: event.user,
    device: event.device,
    branch_ts: event.branch_ts,
    submit_ts: event.submit_ts,
    commit_ts: event.commit_ts,
  };
}

/** Whether an event was made while one of the disputes was open (after its base, before it). */
function concurrentWith(disputes: readonly TakesEvent[], event: TakesEvent): boolean {
  return disputes.some((dispute) => dispute !== event && dispute.base_version < event.version && event.version < dispute.version);
}

/** The last take that set the value holds the current one. */
function markCurrent(takes: FieldTake[]): void {
  const last = takes.filter((take) => take.applied).pop();
  if (last) last.current = true;
}

function contests(event: TakesEvent, path: Path): boolean {
  return (event.contested ?? []).some((pointer) => !isRecordContest(pointer) && overlaps(parsePointer(pointer), path));
}
