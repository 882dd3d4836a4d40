import type { AppendCommand } from '@takes/contracts';
import { emptyMetadata, parseEntityDefinition, type EntityDefinition } from '@takes/metadata';
import { decideRecord } from './decide-record';
import type { StaleContext } from './decide-stale';
import type { Decision, StreamHead } from './decision';
import { BRANCH_CLOCK_ALLOWANCE_MS, branchTimeProblem } from './timestamps';

/**
 * Issue 11: a branch time before the version the client edited was written is impossible
 * (a copy taken before it existed) and is refused with 422; within the clocks' allowance
 * it is taken as sent.
 */
const user = { id: 'u1', roles: ['admin'] };
const V1_AT = '2026-11-20T08:00:00.000Z';
const V2_AT = '2026-11-22T08:00:00.000Z';
const NOW = '2026-11-25T10:00:00.000Z';
const minutes = (iso: string, m: number) => new Date(Date.parse(iso) + m * 60_000).toISOString();

function defineEntity(): EntityDefinition {
  const parsed = parseEntityDefinition({
    name: 'inspection',
    primary_key: { field: 'id', type: 'string', generated: false },
    fields: [{ name: 'id', type: 'string' }, { name: 'x', type: 'string', nullable: true }, { name: 'y', type: 'string', nullable: true }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}
const inspection = defineEntity();

function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c1', app: 'main', entity: 'inspection', entity_id: 'r1', op: 'put', user, data: { y: 'mine' }, ...partial };
}
const headAtV2: StreamHead = { version: 2, state: { id: 'r1', x: 'x2', y: 'y0' }, deleted: false, lastCommitTs: V2_AT, lastPosition: 7 };
/** The client edited version 1 (written at V1_AT); version 2 set x. */
function staleFromV1(branchTs: string): StaleContext {
  return {
    base: { version: 1, state: { id: 'r1', x: 'x0', y: 'y0' }, deleted: false },
    since: [{
      id: 'e2', command_id: 'other', parent: null, type: 'updated', version: 2, base_version: 1,
      patch: [{ op: 'replace', path: '/x', value: 'x2' }], submitted: { x: 'x2' }, submit_ts: V2_AT, device: 'd2',
    }],
    submitTs: NOW,
    branchTs,
    baseCommitTs: V1_AT,
  };
}
const decide = (c: AppendCommand, stale?: StaleContext): Decision =>
  decideRecord({ command: c, head: headAtV2, entity: inspection, metadata: emptyMetadata(), now: NOW, stale });
function outcome(decision: Decision): string {
  return decision.kind === 'reject' ? `${decision.error.code} ${JSON.stringify(decision.error.details)}` : decision.outcome;
}

describe('branch times', () => {
  it('branchTimeProblem: before the base by more than the allowance is a problem; within it, at or after it, or without a base, none', () => {
    const early = minutes(V1_AT, -(BRANCH_CLOCK_ALLOWANCE_MS / 60_000) - 1);
    expect(branchTimeProblem(early, 1, V1_AT)).toEqual({ field: 'branch_ts', rule: 'before_base', message: expect.stringContaining('before version 1') });
    expect(branchTimeProblem(minutes(V1_AT, -4), 1, V1_AT)).toBeNull();
    expect(branchTimeProblem(V1_AT, 1, V1_AT)).toBeNull();
    expect(branchTimeProblem(minutes(V1_AT, 60), 1, V1_AT)).toBeNull();
    expect(branchTimeProblem(early, 1, null)).toBeNull();
    expect(branchTimeProblem(null, 1, V1_AT)).toBeNull();
  });

  it('a stale edit that says it branched a week before its base was written is refused with 422, and appends nothing', () => {
    const weekEarly = minutes(V1_AT, -7 * 24 * 60);
    const decision = decide(command({ base_version: 1, branch_ts: weekEarly }), staleFromV1(weekEarly));
    expect(decision.kind).toBe('reject');
    expect(outcome(decision)).toMatch(/^VALIDATION_FAILED .*"field":"branch_ts","rule":"before_base"/);
  });

  it('a stale edit that branched after its base was written, or a little before (clock skew), is merged', () => {
    for (const branch of [minutes(V1_AT, 30), minutes(V1_AT, -2)]) {
      expect(outcome(decide(command({ base_version: 1, branch_ts: branch }), staleFromV1(branch)))).toBe('merged');
    }
  });

  it('an edit of the head is judged against the head version written time', () => {
    expect(outcome(decide(command({ base_version: 2, branch_ts: minutes(V2_AT, -60) })))).toMatch(/^VALIDATION_FAILED .*before version 2/);
    expect(outcome(decide(command({ base_version: 2, branch_ts: minutes(V2_AT, 1) })))).toBe('applied');
    expect(outcome(decide(command({ base_version: 2 })))).toBe('applied');
  });

  it('a create has no base to be before, and a delete is judged like any edit', () => {
    const create = decideRecord({ command: command({ op: 'create', entity_id: 'r9', data: { id: 'r9' }, branch_ts: '2001-01-01T00:00:00Z' }), head: null, entity: inspection, metadata: emptyMetadata(), now: NOW });
    expect(outcome(create)).toBe('applied');
    expect(outcome(decide(command({ op: 'delete', data: undefined, base_version: 2, branch_ts: '2001-01-01T00:00:00Z' })))).toMatch(/^VALIDATION_FAILED/);
  });
});
