import type { ErrorDetail } from '@takes/contracts';

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

/**
 * How far a client's branch time may fall before the version it names was written: the
 * clocks of devices and server disagree a little, and an edit should not be refused for
 * that. Beyond it the branch time is impossible (a copy taken before it existed).
 */
export const BRANCH_CLOCK_ALLOWANCE_MS = 5 * 60_000;

/**
 * Why a client's branch time cannot be right, or null: it says the device took its copy
 * before the version it edited (its base) was written, by more than the clocks' allowance.
 * The base's commit time is null for a record that does not exist yet (a create).
 */
export function branchTimeProblem(clientBranchTs: string | null | undefined, baseVersion: number, baseCommitTs: string | null): ErrorDetail | null {
  if (!clientBranchTs || !baseCommitTs) return null;
  const branch = Date.parse(clientBranchTs);
  const base = Date.parse(baseCommitTs);
  if (!Number.isFinite(branch) || !Number.isFinite(base) || branch >= base - BRANCH_CLOCK_ALLOWANCE_MS) return null;
  return {
    field: 'branch_ts',
    rule: 'before_base',
    message: `branch time ${new Date(branch).toISOString()} is before version ${baseVersion} of this record was written (${new Date(base).toISOString()}): a copy cannot be taken before it exists`,
  };
}
