import { compare, deepClone } from 'fast-json-patch';
import type { AppendCommand, PatchOperation } from '@takes/contracts';
import { checkMetaDefine, type MetaState } from '@takes/metadata';
import { checkSize, DEFAULT_LIMITS, nextEvent, reject, type DecideLimits, type Decision, type StreamHead } from './decision';

/** What the metadata decider decides on: one define or remove of a `_meta` record. */
export interface MetaInput {
  /** A command on entity `_meta`, entity_id `<kind>:<name>`. */
  command: AppendCommand;
  /** The `_meta` record's stream head, locked by the store (null: never defined). */
  head: StreamHead | null;
  /**
   * The app's whole metadata (every `_meta` record, removed ones included), read while
   * no other change of this app's metadata can commit, plus those decided before this
   * one in the same batch.
   */
  app: MetaState;
  limits?: DecideLimits;
}

/**
 * decideMeta(input) → a `defined` or `removed` event, or a rejection. A define is
 * judged by the registry of metadata kinds (its parse, its name, its kind's change
 * checks against the app's metadata: the same the gateway asks), so a command that
 * reaches the store some other way is held to the same rules. Both take the version
 * they were read at: another change meanwhile is CONFLICT (two admins editing one
 * definition).
 */
export function decideMeta(input: MetaInput): Decision {
  const { command, head } = input;
  const headVersion = head?.version ?? 0;
  const base = command.base_version ?? headVersion;
  if (command.op === 'define') {
    const checked = checkMetaDefine(command.entity_id, command.data, input.app);
    if (!checked.ok) return reject('VALIDATION_FAILED', checked.message, checked.details);
    if (base !== headVersion) {
      return reject('CONFLICT', `${command.entity_id} changed meanwhile: version ${base} was read, it is at ${headVersion}`, {
        version: headVersion,
        current: head?.state ?? null,
      });
    }
    return appendOne(input, 'defined', deepClone(checked.definition), command.data ?? {}, false);
  }
  if (command.op === 'remove') {
    if (!head || head.version === 0 || head.deleted) return reject('NOT_FOUND', `${command.entity_id} not found`);
    if (base !== headVersion) return reject('CONFLICT', `${command.entity_id} changed meanwhile`, { version: headVersion });
    return appendOne(input, 'removed', head.state, {}, true);
  }
  return reject('INVALID_PAYLOAD', 'metadata takes define or remove');
}

function appendOne(input: MetaInput, type: 'defined' | 'removed', state: Record<string, unknown>, submitted: Record<string, unknown>, deleted: boolean): Decision {
  const { command, head } = input;
  const event = nextEvent(head, {
    type,
    base_version: command.base_version ?? head?.version ?? 0,
    patch: compare(head?.state ?? {}, state) as PatchOperation[],
    submitted,
    branch_ts: command.branch_ts,
    submit_ts: command.submit_ts,
  });
  return checkSize(
    { kind: 'append', events: [event], next: { version: event.version, state, deleted }, outcome: 'applied', contested: [], reserve: [] },
    input.limits ?? DEFAULT_LIMITS,
  );
}
