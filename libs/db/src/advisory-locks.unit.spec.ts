import { METADATA_LOCK_CLASS, POSITION_LOCK, PROJECTOR_LEADER_LOCK, RELAY_LOCK, REVIEW_QUEUE_LEADER_LOCK, migrationLock } from './advisory-locks';

describe('advisory locks', () => {
  it('keep the keys running deployments hold', () => {
    expect({ POSITION_LOCK, RELAY_LOCK, PROJECTOR_LEADER_LOCK, REVIEW_QUEUE_LEADER_LOCK }).toEqual({
      POSITION_LOCK: [0x7a6b, 1],
      RELAY_LOCK: [0x7a6b, 2],
      PROJECTOR_LEADER_LOCK: [0x7a6b, 3],
      REVIEW_QUEUE_LEADER_LOCK: [0x7a6b, 4],
    });
    expect(METADATA_LOCK_CLASS).toBe(0x7a6c);
    expect(migrationLock('event_store')).toBe('takes.migrate.event_store');
  });

  it('never share a key', () => {
    const keys = [POSITION_LOCK, RELAY_LOCK, PROJECTOR_LEADER_LOCK, REVIEW_QUEUE_LEADER_LOCK].map((key) => key.join(':'));
    expect(new Set(keys).size).toBe(keys.length);
    // The metadata locks have a class of their own, so no app's hash meets a fixed key.
    expect(keys.some((key) => key.startsWith(`${METADATA_LOCK_CLASS}:`))).toBe(false);
  });
});
