import { TakesError, type AppendCommand } from '@takes/contracts';
import { emptyMetadata, parseEntityDefinition, type EntityDefinition } from '@takes/metadata';
import { decideRecord, isStaleEdit, settleUniqueValues, type RecordInput } from './decide-record';
import type { AppendDecision, Decision, StreamHead } from './decision';
import type { StaleContext } from './decide-stale';
import { grantAll } from './permission-grants.fixture';
import { RECORD_CHECKS, checkRecord, type RecordCheck } from './record-checks';

const user = { id: 'u1', roles: ['inspector'] };
function entity(extra: object = {}): EntityDefinition {
  const parsed = parseEntityDefinition({
    name: 'inspection',
    primary_key: { field: 'id', type: 'string', generated: false },
    fields: [{ name: 'id', type: 'string' }, { name: 'status', type: 'string' }, { name: 'code', type: 'string', unique: true }, { name: 'note', type: 'string' }],
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}
const inspection = entity();
const granted = grantAll(emptyMetadata(), 'inspection', ['inspector']);
function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c2', app: 'main', entity: 'inspection', entity_id: 'r1', op: 'put', user, ...partial };
}
/** Version 2 changed the note after version 1, which an offline edit had as its base. */
const head: StreamHead = { version: 2, state: { id: 'r1', status: 'open', note: 'checked' }, deleted: false, lastCommitTs: '2026-11-20T09:00:00.000Z' };
const stale: StaleContext = {
  base: { version: 1, state: { id: 'r1', status: 'open' }, deleted: false },
  since: [{ id: 'e2', command_id: 'c1', parent: null, type: 'updated', version: 2, base_version: 1, patch: [{ op: 'add', path: '/note', value: 'checked' }], submitted: { note: 'checked' }, submit_ts: '2026-11-20T09:00:00.000Z', device: 'd1' }],
  submitTs: '2026-11-20T08:30:00.000Z',
  branchTs: '2026-11-20T08:00:00.000Z',
};

/** A rule as the rules engine will add one: a closed inspection needs a note of its own. */
const closedNeedsNoteFromUser: RecordCheck = (next, previous, context) =>
  next.status === 'closed' && next.note === previous?.note
    ? { ok: false, error: new TakesError('VALIDATION_FAILED', 'rule failed', [{ field: 'note', rule: 'closing_note', message: `${context.user.id}: write a closing note` }]) }
    : { ok: true, state: next };
const checks = [...RECORD_CHECKS, closedNeedsNoteFromUser];

function decide(partial: Partial<AppendCommand>, extra: Partial<RecordInput> = {}): Decision {
  return decideRecord({ command: command(partial), head, entity: inspection, metadata: granted, checks, ...extra });
}
function appended(decision: Decision): AppendDecision {
  if (decision.kind !== 'append') throw new Error(`expected append, got ${decision.error.code} ${decision.error.message}`);
  return decision;
}

describe('checkRecord, the hook every record write passes', () => {
  it('runs the checks in order, each on the state the one before returned, and stops at the first refusal', () => {
    const context = { command: command({}), user, entity: inspection, metadata: granted, now: '2026-01-01T00:00:00.000Z' };
    const upper: RecordCheck = (next) => ({ ok: true, state: { ...next, status: String(next.status).toUpperCase() } });
    const seen: unknown[] = [];
    const spy: RecordCheck = (next) => (seen.push(next.status), { ok: true, state: next });
    expect(checkRecord({ id: 'r1', status: 'open' }, undefined, context, [upper, spy])).toEqual({ ok: true, state: { id: 'r1', status: 'OPEN' } });
    expect(seen).toEqual(['OPEN']);
    const refused = checkRecord({ id: 'r1', colour: 'red' }, undefined, context, [...RECORD_CHECKS, spy]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(seen).toEqual(['OPEN']);
  });

  it('an online write the extra check refuses is rejected with its error', () => {
    const decision = decide({ base_version: 2, data: { status: 'closed' } });
    expect(decision).toMatchObject({ kind: 'reject', error: { code: 'VALIDATION_FAILED', details: [{ field: 'note', rule: 'closing_note', message: 'u1: write a closing note' }] } });
    expect(appended(decide({ base_version: 2, data: { status: 'closed', note: 'all fine' } })).next.state).toMatchObject({ status: 'closed' });
  });

  it('an offline (stale) edit whose merged result the check refuses is shelved: kept, not applied', () => {
    const cmd = command({ base_version: 1, data: { status: 'closed' } });
    expect(isStaleEdit(cmd, head, inspection)).toBe(true);
    const decision = appended(decide({ base_version: 1, data: { status: 'closed' } }, { stale }));
    expect(decision.outcome).toBe('shelved');
    expect(decision.events).toEqual([expect.objectContaining({ type: 'shelved', version: 3, base_version: 1, patch: [], submitted: { status: 'closed' } })]);
    expect(decision.next.state).toEqual(head.state);
    // Without the extra check the same edit merges.
    expect(appended(decide({ base_version: 1, data: { status: 'closed' } }, { stale, checks: RECORD_CHECKS })).outcome).toBe('merged');
  });
});

describe('settleUniqueValues, the second step of a record write', () => {
  it('names the unique values a decision takes', () => {
    expect(appended(decide({ data: { code: 'A-1' } })).reserve).toEqual([{ field: 'code', value: 'A-1' }]);
    expect(appended(decide({ data: { note: 'x' } })).reserve).toEqual([]);
  });

  it('a value another record holds: an online write is CONFLICT, an offline edit is shelved', () => {
    const online = { command: command({ data: { code: 'A-1' } }), head, entity: inspection, metadata: granted };
    const taken = { field: 'code', value: 'A-1' };
    expect(settleUniqueValues(online, appended(decideRecord(online)), taken)).toMatchObject({ kind: 'reject', error: { code: 'CONFLICT', details: [{ field: 'code', rule: 'unique' }] } });
    const offline = { ...online, command: command({ base_version: 1, data: { code: 'A-1' } }), stale };
    const merged = appended(decideRecord(offline));
    expect(merged.outcome).toBe('merged');
    const settled = appended(settleUniqueValues(offline, merged, taken));
    expect(settled).toMatchObject({ outcome: 'shelved', reserve: [], events: [{ type: 'shelved', base_version: 1, branch_ts: stale.branchTs, submit_ts: stale.submitTs }] });
    expect(settleUniqueValues(online, merged, null)).toBe(merged);
  });
});
