import { contestParties } from './contest-parties';
import { InMemoryStream } from './in-memory-stream';

describe('contestParties', () => {
  it('names both sides of a contested field: the edit merged in and the edit it met', () => {
    const stream = new InMemoryStream({ y: 'y0', z: 'z0' });
    stream.write({ command_id: 'b', device: 'phone-B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'put', data: { y: 'yB' }, base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' });
    // C edits z only: not a party of the contest of /y.
    stream.write({ command_id: 'c', device: 'desk-C', submit_ts: '2026-03-01T09:05:00.000Z', op: 'put', data: { z: 'zC' }, base_version: 2, commit_at: '2026-03-01T09:05:01.000Z' });
    stream.write({ command_id: 'a', device: 'tablet-A', submit_ts: '2026-03-01T09:30:00.000Z', op: 'put', data: { y: 'yA' }, base_version: 1, commit_at: '2026-03-01T09:30:01.000Z' });
    const contested = stream.events[3];
    expect(contested.contested).toEqual(['/y']);
    expect(contestParties(contested, stream.events)).toEqual([{ pointer: '/y', users: ['user-of-phone-B', 'user-of-tablet-A'], devices: ['phone-B', 'tablet-A'] }]);
  });

  it('a whole-record contest: the delete and the edit', () => {
    const stream = new InMemoryStream({ y: 'y0' });
    stream.write({ command_id: 'b', device: 'phone-B', submit_ts: '2026-03-01T09:00:00.000Z', op: 'put', data: { y: 'yB' }, base_version: 1, commit_at: '2026-03-01T09:00:01.000Z' });
    stream.write({ command_id: 'a', device: 'tablet-A', submit_ts: '2026-03-01T09:30:00.000Z', op: 'delete', base_version: 1, commit_at: '2026-03-01T09:30:01.000Z' });
    const contested = stream.events[2];
    expect(contested.contested).toEqual(['/_record']);
    expect(contestParties(contested, stream.events)[0].devices).toEqual(['phone-B', 'tablet-A']);
  });
});
