import { effectOf, evolve, initialState, type Actor, type EventType, type TakesEvent } from '@takes/contracts';
import { overlaps, parsePointer, toPointer, valueAt, type JsonObject, type Path } from './json-document';
import { RECORD_POINTER } from './unzip-time';

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

/**
 * Per-field history of a record, computed from its events alone (GET /history). Every
 * value any event submitted is a take; events are taken in version order.
 */
export function fieldTakes(events: readonly TakesEvent[]): FieldHistory[] {
  const ordered = [...events].sort((a, b) => a.version - b.version);
  const states: JsonObject[] = [];
  let record = initialState();
  for (const event of ordered) {
    record = evolve(record, event);
    states.push(record.state as JsonObject);
  }
  const state = record.state as JsonObject;

  const fields = new Set<string>();
  for (const event of ordered) {
    for (const op of event.patch) {
      for (const pointer of [op.path, op.from]) {
        const first = pointer ? parsePointer(pointer)[0] : undefined;
        if (first !== undefined) fields.add(toPointer([first]));
      }
    }
    for (const key of Object.keys(event.submitted ?? {})) fields.add(toPointer([key]));
    for (const pointer of event.contested ?? []) if (pointer !== RECORD_POINTER) fields.add(pointer);
  }
  for (const key of Object.keys(state)) fields.add(toPointer([key]));

  return [...fields].sort().map((field) => historyOf(field, ordered, states, state));
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
        disputes.some((dispute) => dispute !== event && dispute.base_version < event.version && event.version < dispute.version),
      picked: effect.pick && applied,
      event_id: event.id,
      command_id: event.command_id,
      type: event.type,
      version: event.version,
      user: event.user,
      device: event.device,
      branch_ts: event.branch_ts,
      submit_ts: event.submit_ts,
      commit_ts: event.commit_ts,
    });
  });
  const last = takes.filter((take) => take.applied).pop();
  if (last) last.current = true;
  const value = valueAt(final, path);
  return { field, value: value === undefined ? null : value, contested: takes.some((take) => take.contested), takes };
}

function contests(event: TakesEvent, path: Path): boolean {
  return (event.contested ?? []).some((pointer) => pointer !== RECORD_POINTER && overlaps(parsePointer(pointer), path));
}
