import type { AppendCommand } from '@takes/contracts';
import { emptyMetadata, parseEntityDefinition, type EntityDefinition } from '@takes/metadata';
import type { PriorEvent } from '@takes/merge';
import { decideRecord } from './decide-record';
import type { StaleContext } from './decide-stale';
import type { AppendDecision, Decision, StreamHead } from './decision';

/**
 * Issue 11, integrity: a record's key never changes; the fields the server manages are
 * set by the decider after the merge and never contested; a write that changes nothing
 * appends nothing; an overwrite says so; a whole-record contest can be picked.
 */
const user = { id: 'u1', roles: ['admin'] };
const NOW = '2026-11-25T10:00:00.000Z';
const BEFORE = '2026-11-20T08:00:00.000Z';

function defineEntity(extra: Record<string, unknown> = {}): EntityDefinition {
  const parsed = parseEntityDefinition({
    name: 'inspection',
    table: 'inspections',
    primary_key: { field: 'id', type: 'string', generated: false },
    fields: [
      { name: 'id', type: 'string' },
      { name: 'x', type: 'string', nullable: true },
      { name: 'y', type: 'string', nullable: true },
      { name: 'created_at', type: 'timestamp', auto: 'create' },
      { name: 'updated_at', type: 'timestamp', auto: 'update' },
    ],
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}
const inspection = defineEntity();
const stamped = { id: 'r1', x: 'x0', y: 'y0', created_at: BEFORE, updated_at: BEFORE };

function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c1', app: 'main', entity: 'inspection', entity_id: 'r1', op: 'put', user, ...partial };
}
function head(state: Record<string, unknown>, version = 2, deleted = false): StreamHead {
  return { version, state, deleted, lastCommitTs: BEFORE, lastPosition: 40 };
}
const decide = (c: AppendCommand, h: StreamHead | null, entity = inspection, stale?: StaleContext) =>
  decideRecord({ command: c, head: h, entity, metadata: emptyMetadata(), now: NOW, stale });
function appended(decision: Decision): AppendDecision {
  if (decision.kind !== 'append') throw new Error(`expected append, got ${decision.error.code} ${decision.error.message}`);
  return decision;
}
function refusal(decision: Decision) {
  if (decision.kind !== 'reject') throw new Error(`expected a refusal, got ${decision.outcome}`);
  return { code: decision.error.code, details: decision.error.details };
}
const keyRefused = { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'id', rule: 'immutable' })] };

/** Version 1 = `base`; version 2 (another device, concurrent with the stale edit) set x and updated_at. */
function staleAfterConcurrentX(base = stamped): { head: StreamHead; stale: StaleContext } {
  const concurrent: PriorEvent = {
    id: 'e2', command_id: 'other', parent: null, type: 'updated', version: 2, base_version: 1,
    patch: [{ op: 'replace', path: '/x', value: 'x-other' }, { op: 'replace', path: '/updated_at', value: '2026-11-21T08:00:00.000Z' }],
    submitted: { x: 'x-other', updated_at: '2026-11-21T08:00:00.000Z' }, submit_ts: '2026-11-21T08:00:00.000Z', device: 'd-other',
  };
  return {
    head: head({ ...base, x: 'x-other', updated_at: '2026-11-21T08:00:00.000Z' }, 2),
    stale: { base: { version: 1, state: base, deleted: false }, since: [concurrent], submitTs: '2026-11-22T08:00:00.000Z', branchTs: BEFORE },
  };
}

describe('a record key never changes', () => {
  it('put, patch and resolve that would change it are 422 VALIDATION_FAILED naming the key, rule immutable', () => {
    expect(refusal(decide(command({ data: { id: 'r2', x: 'x1' } }), head(stamped)))).toEqual(keyRefused);
    expect(refusal(decide(command({ op: 'patch', patch: [{ op: 'replace', path: '/id', value: 'r2' }] }), head(stamped)))).toEqual(keyRefused);
    expect(refusal(decide(command({ op: 'patch', patch: [{ op: 'remove', path: '/id' }] }), head(stamped)))).toEqual(keyRefused);
    expect(refusal(decide(command({ op: 'patch', patch: [{ op: 'move', from: '/id', path: '/x' }] }), head(stamped)))).toEqual(keyRefused);
    expect(refusal(decide(command({ op: 'resolve', data: { field: '/id', value: 'r2' } }), head(stamped)))).toEqual(keyRefused);
  });

  it('a stale edit that would change it is refused too, not merged or shelved', () => {
    const { head: h, stale } = staleAfterConcurrentX();
    expect(refusal(decide(command({ base_version: 1, data: { id: 'r2' } }), h, inspection, stale))).toEqual(keyRefused);
  });

  it('the same key, in the body or tested, is no change', () => {
    expect(appended(decide(command({ data: { id: 'r1', x: 'x1' } }), head(stamped))).next.state).toMatchObject({ id: 'r1', x: 'x1' });
    expect(appended(decide(command({ op: 'patch', patch: [{ op: 'test', path: '/id', value: 'r1' }, { op: 'replace', path: '/x', value: 'x1' }] }), head(stamped))).outcome).toBe('applied');
  });
});

describe('fields the server manages', () => {
  it('a create stamps every auto field, an update only the auto "update" ones, with the store clock', () => {
    const created = appended(decide(command({ op: 'create', data: { id: 'r1', x: 'x0' } }), null));
    expect(created.next.state).toMatchObject({ created_at: NOW, updated_at: NOW });
    const updated = appended(decide(command({ data: { x: 'x1' } }), head(stamped)));
    expect(updated.next.state).toMatchObject({ x: 'x1', created_at: BEFORE, updated_at: NOW });
    expect(updated.events[0].submitted).toEqual({ x: 'x1' });
  });

  it('what a client sends for them is dropped (a write of only them changes nothing); a pick of one is 422', () => {
    expect(appended(decide(command({ data: { updated_at: '2030-01-01T00:00:00.000Z', created_at: '2030-01-01T00:00:00.000Z' } }), head(stamped))).outcome).toBe('unchanged');
    expect(appended(decide(command({ op: 'patch', patch: [{ op: 'replace', path: '/updated_at', value: '2030-01-01T00:00:00.000Z' }] }), head(stamped))).outcome).toBe('unchanged');
    expect(refusal(decide(command({ op: 'resolve', data: { field: '/updated_at', value: '2030-01-01T00:00:00.000Z' } }), head(stamped)))).toEqual({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'updated_at', rule: 'managed' })],
    });
  });

  it('a stale edit merged in: updated_at is set after the merge, never contested; only the client field is', () => {
    const { head: h, stale } = staleAfterConcurrentX();
    const merged = appended(decide(command({ base_version: 1, data: { x: 'x-mine', updated_at: '2026-11-22T08:00:00.000Z' } }), h, inspection, stale));
    expect(merged.outcome).toBe('merged');
    expect(merged.contested).toEqual(['/x']);
    expect(merged.events.flatMap((e) => e.contested)).toEqual(['/x']);
    expect(merged.next.state).toMatchObject({ x: 'x-mine', updated_at: NOW, created_at: BEFORE });
    expect(merged.events[0].submitted).toEqual({ x: 'x-mine' });
  });

  it('a stale edit of another field merges without any contest', () => {
    const { head: h, stale } = staleAfterConcurrentX();
    const merged = appended(decide(command({ base_version: 1, data: { y: 'y-mine' } }), h, inspection, stale));
    expect(merged).toMatchObject({ outcome: 'merged', contested: [] });
    expect(merged.next.state).toMatchObject({ x: 'x-other', y: 'y-mine', updated_at: NOW });
  });
});

describe('a write that changes nothing', () => {
  it('appends no event and answers the head: a PUT of only the key, the same values, a PATCH of only test ops', () => {
    for (const c of [
      command({ data: { id: 'r1' } }),
      command({ data: {} }),
      command({ data: { x: 'x0', y: 'y0' } }),
      command({ op: 'patch', patch: [{ op: 'test', path: '/x', value: 'x0' }] }),
    ]) {
      expect(appended(decide(c, head(stamped)))).toEqual({ kind: 'append', events: [], next: { version: 2, state: stamped, deleted: false }, outcome: 'unchanged', contested: [], reserve: [] });
    }
  });

  it('a stale one too, when the record already holds what it sets', () => {
    const { head: h, stale } = staleAfterConcurrentX();
    expect(appended(decide(command({ base_version: 1, data: { x: 'x-other' } }), h, inspection, stale)).outcome).toBe('unchanged');
    expect(appended(decide(command({ base_version: 1, data: { id: 'r1' } }), h, inspection, stale)).outcome).toBe('unchanged');
  });
});

describe('history off, stale_write overwrite', () => {
  const log = defineEntity({ history: false, stale_write: 'overwrite' });

  it('writing over a value changed since the base: outcome overwritten, a lost_update carrying the value', () => {
    const { head: h, stale } = staleAfterConcurrentX();
    const d = appended(decide(command({ base_version: 1, data: { x: 'x-mine' } }), h, log, stale));
    expect(d.outcome).toBe('overwritten');
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ type: 'lost_update', overwritten: { '/x': 'x-other' } });
    expect(d.next.state).toMatchObject({ x: 'x-mine', updated_at: NOW });
  });

  it('nothing written over: applied, an ordinary update', () => {
    const { head: h, stale } = staleAfterConcurrentX();
    const d = appended(decide(command({ base_version: 1, data: { y: 'y-mine' } }), h, log, stale));
    expect(d.outcome).toBe('applied');
    expect(d.events[0].type).toBe('updated');
    expect(d.events[0].overwritten).toBeUndefined();
  });
});

describe('a pick of the whole-record contest (/_record)', () => {
  it('{deleted: false} on a deleted record restores it, then a resolved event that submits the pick', () => {
    const d = appended(decide(command({ op: 'resolve', data: { field: '/_record', value: { deleted: false } } }), head(stamped, 4, true)));
    expect(d.events.map((e) => [e.type, e.version, e.patch, e.submitted])).toEqual([
      ['restored', 5, [], {}],
      ['resolved', 6, [], { _record: { deleted: false } }],
    ]);
    expect(d.next).toEqual({ version: 6, state: stamped, deleted: false });
  });

  it('{deleted: true} deletes an alive record; the way it stands already is only the resolved event', () => {
    const d = appended(decide(command({ op: 'resolve', data: { field: '/_record', value: { deleted: true } } }), head(stamped)));
    expect(d.events.map((e) => e.type)).toEqual(['deleted', 'resolved']);
    expect(d.next.deleted).toBe(true);
    const kept = appended(decide(command({ op: 'resolve', data: { field: '/_record', value: { deleted: false } } }), head(stamped)));
    expect(kept.events.map((e) => e.type)).toEqual(['resolved']);
  });

  it('any other value is 422', () => {
    for (const value of [true, { deleted: 'yes' }, { deleted: true, x: 1 }, null]) {
      expect(refusal(decide(command({ op: 'resolve', data: { field: '/_record', value } }), head(stamped))).code).toBe('VALIDATION_FAILED');
    }
  });
});
