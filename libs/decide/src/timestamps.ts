/**
 * The store's clock rules (ARCHITECTURE.md):
 * - commit_ts comes from the database clock and never goes below the stream's last one;
 * - branch_ts defaults to the base version's commit_ts, submit_ts to commit_ts;
 * - a client's submit_ts is clamped to [branch_ts, commit_ts], so a wrong or hostile
 *   clock cannot always win.
 */
export function nextCommitTs(clock: Date, lastCommitTs: string | null): Date {
  if (!lastCommitTs) return clock;
  const last = new Date(lastCommitTs);
  return clock.getTime() < last.getTime() ? last : clock;
}

export interface StampedTimes {
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
}

export function stampTimes(
  client: { branch_ts: string | null; submit_ts: string | null },
  commitTs: Date,
  baseCommitTs: string | null,
): StampedTimes {
  const commit = commitTs.getTime();
  const branchWanted = client.branch_ts ? Date.parse(client.branch_ts) : baseCommitTs ? Date.parse(baseCommitTs) : commit;
  const branch = Math.min(Number.isFinite(branchWanted) ? branchWanted : commit, commit);
  const submitWanted = client.submit_ts ? Date.parse(client.submit_ts) : commit;
  const submit = Math.min(Math.max(Number.isFinite(submitWanted) ? submitWanted : commit, branch), commit);
  return {
    branch_ts: new Date(branch).toISOString(),
    submit_ts: new Date(submit).toISOString(),
    commit_ts: new Date(commit).toISOString(),
  };
}
