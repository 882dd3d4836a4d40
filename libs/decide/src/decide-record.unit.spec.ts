import fc from 'fast-check';
import { compare } from 'fast-json-patch';
import type { AppendCommand, PatchOperation, TakesEvent } from '@takes/contracts';
import { emptyMetadata, parseEntityDefinition, type EntityDefinition } from '@takes/metadata';
import { decideRecord } from './decide-record';
import type { Decision, DecideLimits, StreamHead } from './decision';
import { applyOperations, replay, initialState } from './record-state';

const user = { id: 'u1', roles: ['admin'] };

function defineEntity(fields: { name: string; type: string; enum?: string[] }[]): EntityDefinition {
  const parsed = parseEntityDefinition({ name: 'inspection', table: 'inspections', primary_key: { field: 'id', type: 'string', generated: false }, fields: [{ name: 'id', type: 'string' }, ...fields] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
}
const jsonFields = ['a', 'b', 'c', 'notes', 'list', 'nested', 'big', 'n', 'k0', 'k1', 'k2', 'k3'].map((name) => ({ name, type: 'json' }));
const inspection = defineEntity(jsonFields);
const decide = (command: AppendCommand, head: StreamHead | null, limits?: DecideLimits, entity: EntityDefinition | null = inspection) =>
  decideRecord({ command, head, entity, metadata: emptyMetadata(), limits });
function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c1', app: 'main', entity: 'inspection', entity_id: 'r1', op: 'put', user, ...partial };
}
function head(state: Record<string, unknown>, version = 3, deleted = false): StreamHead {
  return { version, state, deleted, lastCommitTs: '2026-11-20T08:00:00.000Z' };
}
function appended(decision: Decision) {
  if (decision.kind !== 'append') throw new Error(`expected append, got ${decision.error.code} ${decision.error.message}`);
  return decision;
}
function rejected(decision: Decision) {
  if (decision.kind !== 'reject') throw new Error('expected a rejection');
  return decision.error;
}

describe('decideRecord', () => {
  it('creates version 1 with the data as state and a patch from nothing', () => {
    const d = appended(decide(command({ op: 'create', data: { a: 1, b: 'x' } }), null));
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ type: 'created', version: 1, prior_version: 0, base_version: 0, submitted: { a: 1, b: 'x' } });
    expect(d.next).toEqual({ version: 1, state: { a: 1, b: 'x' }, deleted: false });
    expect(applyOperations({}, d.events[0].patch)).toEqual({ a: 1, b: 'x' });
  });

  it('refuses to create a record that exists', () => {
    expect(rejected(decide(command({ op: 'create', data: {} }), head({ a: 1 }))).code).toBe('CONFLICT');
  });

  it('put replaces the given fields, keeps the others, and null clears one', () => {
    const d = appended(decide(command({ data: { b: 2, c: null } }), head({ a: 1, b: 1, c: 'x' })));
    expect(d.next.state).toEqual({ a: 1, b: 2, c: null });
    expect(d.events[0].patch).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/b', value: 2 },
        { op: 'replace', path: '/c', value: null },
      ]),
    );
    expect(d.events[0].submitted).toEqual({ b: 2, c: null });
  });

  it('a put that changes nothing is still an event, with an empty patch', () => {
    const d = appended(decide(command({ data: { a: 1 } }), head({ a: 1 })));
    expect(d.events[0].patch).toEqual([]);
    expect(d.events[0].submitted).toEqual({ a: 1 });
  });

  it('patch applies RFC 6902 and records the touched fields as submitted', () => {
    const ops: PatchOperation[] = [
      { op: 'replace', path: '/a', value: 5 },
      { op: 'add', path: '/nested/k', value: true },
    ];
    const d = appended(decide(command({ op: 'patch', patch: ops }), head({ a: 1, nested: {} })));
    expect(d.next.state).toEqual({ a: 5, nested: { k: true } });
    expect(d.events[0].submitted).toEqual({ a: 5, nested: { k: true } });
  });

  it('a failing test op is CONFLICT, a bad document INVALID_PAYLOAD', () => {
    expect(rejected(decide(command({ op: 'patch', patch: [{ op: 'test', path: '/a', value: 2 }] }), head({ a: 1 }))).code).toBe('CONFLICT');
    expect(rejected(decide(command({ op: 'patch', patch: [{ op: 'replace', path: '/missing/x', value: 1 }] }), head({ a: 1 }))).code).toBe('INVALID_PAYLOAD');
    expect(rejected(decide(command({ op: 'patch', patch: [{ op: 'bogus' as never, path: '/a' }] }), head({ a: 1 }))).code).toBe('INVALID_PAYLOAD');
    expect(rejected(decide(command({ op: 'patch', patch: [{ op: 'replace', path: '', value: 3 }] }), head({ a: 1 }))).code).toBe('INVALID_PAYLOAD');
  });

  it('a stale base is CONFLICT with the current state and version', () => {
    const error = rejected(decide(command({ base_version: 2, data: { a: 9 } }), head({ a: 1 }, 3)));
    expect(error.code).toBe('CONFLICT');
    expect(error.details).toMatchObject({ version: 3, current: { a: 1 } });
  });

  it('edits of a missing or deleted record are NOT_FOUND; delete then restore', () => {
    expect(rejected(decide(command({ data: { a: 1 } }), null)).code).toBe('NOT_FOUND');
    expect(rejected(decide(command({ data: { a: 1 } }), head({ a: 1 }, 2, true))).code).toBe('NOT_FOUND');
    const del = appended(decide(command({ op: 'delete' }), head({ a: 1 })));
    expect(del.events[0]).toMatchObject({ type: 'deleted', patch: [] });
    expect(del.next.deleted).toBe(true);
    const res = appended(decide(command({ op: 'restore' }), head({ a: 1 }, 4, true)));
    expect(res.events[0].type).toBe('restored');
    expect(res.next).toEqual({ version: 5, state: { a: 1 }, deleted: false });
    expect(rejected(decide(command({ op: 'restore' }), head({ a: 1 }))).code).toBe('CONFLICT');
  });

  it('refuses an event over the size limit', () => {
    const big = 'x'.repeat(600 * 1024);
    expect(rejected(decide(command({ op: 'create', data: { big } }), null)).code).toBe('INVALID_PAYLOAD');
  });
});

const jsonArbitraries = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  record: fc.dictionary(fc.constantFrom('k0', 'k1', 'k2', 'k3'), tie('value'), { maxKeys: 4 }),
}));
const json = jsonArbitraries.object as fc.Arbitrary<Record<string, unknown>>;
const recordData = jsonArbitraries.record as fc.Arbitrary<Record<string, unknown>>;

describe('patches and replay (properties)', () => {
  it('the patch made by comparing states takes the old state to the new one', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(applyOperations(a, compare(a, b) as PatchOperation[])).toEqual(b);
      }),
    );
  });

  it('replaying the decided events reproduces the state the decisions reached', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('put' as const), data: recordData }),
      fc.record({ op: fc.constant('delete' as const) }),
      fc.record({ op: fc.constant('restore' as const) }),
    );
    fc.assert(
      fc.property(recordData, fc.array(op, { maxLength: 15 }), (first, ops) => {
        let h: StreamHead | null = null;
        const events: Pick<TakesEvent, 'type' | 'version' | 'patch'>[] = [];
        for (const c of [{ op: 'create' as const, data: first }, ...ops]) {
          const d = decide(command(c as Partial<AppendCommand>), h);
          if (d.kind === 'reject') continue;
          events.push(...d.events);
          h = { ...d.next, lastCommitTs: null };
        }
        const replayed = replay(events, initialState());
        expect(replayed).toEqual({ version: h!.version, state: h!.state, deleted: h!.deleted });
      }),
    );
  });
});

describe('decideRecord against the entity definition', () => {
  const typed = defineEntity([
    { name: 'site', type: 'string' },
    { name: 'pressure', type: 'int' },
    { name: 'status', type: 'string', enum: ['draft', 'done'] },
  ]);
  it('an unknown entity is UNKNOWN_ENTITY', () => {
    expect(rejected(decide(command({ op: 'create', data: {} }), null, undefined, null)).code).toBe('UNKNOWN_ENTITY');
  });
  it('a patch that leaves a wrong type, an enum violation or an unknown field is VALIDATION_FAILED, with details', () => {
    const h = head({ id: 'r1', site: 'n', pressure: 3, status: 'draft' });
    const error = rejected(decide(command({ op: 'patch', patch: [
      { op: 'replace', path: '/pressure', value: 'high' },
      { op: 'replace', path: '/status', value: 'lost' },
      { op: 'add', path: '/colour', value: 'red' },
    ] }), h, undefined, typed));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect((error.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['colour', 'pressure', 'status']);
    expect(appended(decide(command({ op: 'patch', patch: [{ op: 'replace', path: '/pressure', value: 4 }] }), h, undefined, typed)).next.state.pressure).toBe(4);
  });
});
