import { nextCommitTs, stampTimes } from './timestamps';

describe('store clock rules', () => {
  const commit = new Date('2026-11-23T12:00:00.000Z');

  it('commit_ts never goes below the stream last commit', () => {
    expect(nextCommitTs(commit, '2026-11-23T12:00:05.000Z').toISOString()).toBe('2026-11-23T12:00:05.000Z');
    expect(nextCommitTs(commit, '2026-11-23T11:00:00.000Z')).toBe(commit);
    expect(nextCommitTs(commit, null)).toBe(commit);
  });

  it('defaults: branch = base commit, submit = commit', () => {
    expect(stampTimes({ branch_ts: null, submit_ts: null }, commit, '2026-11-20T00:00:00.000Z')).toEqual({
      branch_ts: '2026-11-20T00:00:00.000Z',
      submit_ts: commit.toISOString(),
      commit_ts: commit.toISOString(),
    });
  });

  it('clamps a hostile submit into [branch, commit]', () => {
    const future = stampTimes({ branch_ts: '2026-11-16T00:00:00Z', submit_ts: '2099-01-01T00:00:00Z' }, commit, null);
    expect(future.submit_ts).toBe(commit.toISOString());
    const past = stampTimes({ branch_ts: '2026-11-16T00:00:00Z', submit_ts: '2001-01-01T00:00:00Z' }, commit, null);
    expect(past.submit_ts).toBe('2026-11-16T00:00:00.000Z');
    const branchAhead = stampTimes({ branch_ts: '2099-01-01T00:00:00Z', submit_ts: null }, commit, null);
    expect(branchAhead.branch_ts).toBe(commit.toISOString());
  });
});
