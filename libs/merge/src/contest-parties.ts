import { effectOf, type TakesEvent } from '@takes/contracts';
import { overlaps, parsePointer } from './json-document';
import { isRecordContest } from './unzip-time';

/** Who took part in one contested pointer: the users and devices on either side. */
export interface ContestParties {
  pointer: string;
  users: string[];
  devices: string[];
}

type Party = Pick<TakesEvent, 'type' | 'version' | 'patch' | 'submitted' | 'user' | 'device'>;

/**
 * The parties of each pointer an event contests: the event's own user and device, and
 * those of the edits it was merged against — the events after its base (and before it)
 * on the record's main line that set the same value, or for the whole-record contest
 * (`/_record`) that changed the record's existence or edited it. Pure: `concurrent` are
 * the record's events with `event.base_version < version < event.version`.
 */
export function contestParties(event: Party & Pick<TakesEvent, 'base_version' | 'contested'>, concurrent: readonly Party[]): ContestParties[] {
  return event.contested.map((pointer) => {
    const users = new Set<string>([event.user.id]);
    const devices = new Set<string>(event.device ? [event.device] : []);
    for (const other of concurrent) {
      if (other.version <= event.base_version || other.version >= event.version || !sides(other, pointer)) continue;
      users.add(other.user.id);
      if (other.device) devices.add(other.device);
    }
    return { pointer, users: [...users].sort(), devices: [...devices].sort() };
  });
}

function sides(event: Party, pointer: string): boolean {
  const effect = effectOf(event.type);
  if (!effect.applies) return false;
  if (isRecordContest(pointer)) return effect.deleted !== 'keep' || effect.edit;
  const path = parsePointer(pointer);
  if (event.patch.some((op) => [op.path, op.from].some((p) => typeof p === 'string' && overlaps(parsePointer(p), path)))) return true;
  return effect.edit && Object.keys(event.submitted ?? {}).some((key) => overlaps([key], path));
}
