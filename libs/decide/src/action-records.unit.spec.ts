import type { AppendCommand } from '@takes/contracts';
import { checkMetaDefine, metaStateOf, withMetaItem, type MetaState } from '@takes/metadata';
import { actionCreateParts, actionPartDecision, actionRecordKey } from './action-records';
import { decideRecord } from './decide-record';
import type { StaleContext } from './decide-stale';
import type { Decision, StreamHead } from './decision';

/** Issue 13: a transition's create_record action makes its record in the same command. */
const NOW = '2026-11-24T10:00:00.000Z';
function define(state: MetaState, key: string, definition: object): MetaState {
  const check = checkMetaDefine(key, definition, state);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return withMetaItem(state, { key, definition: check.definition, removed: false });
}
const invoice = { name: 'invoice', primary_key: { field: 'id', type: 'string', generated: false }, fields: [{ name: 'id', type: 'string' }, { name: 'status', type: 'string' }, { name: 'note', type: 'string' }] };
const audit = { name: 'audit', primary_key: { field: 'audit_id', type: 'uuid', generated: true }, fields: [{ name: 'audit_id', type: 'uuid' }, { name: 'note', type: 'string' }] };
const machine = {
  id: 'lifecycle', entity: 'invoice', field: 'status',
  definition: {
    initial: 'draft',
    transitions: [
      { from: 'draft', to: 'paid', actions: [{ type: 'create_record', entity: 'audit', data: { note: 'paid' } }, { type: 'send_event', event: 'invoice_paid' }, { type: 'create_record', entity: 'audit', data: { note: 'second' } }] },
      { from: 'paid', to: 'draft' },
    ],
  },
};
const app = define(define(define(metaStateOf([]), 'entity:invoice', invoice), 'entity:audit', audit), 'state_machine:lifecycle', machine);
const entity = app.metadata.entities.get('invoice')!;
const admin = { id: 'u1', roles: ['admin'] };
const head: StreamHead = { version: 1, state: { id: 'i1', status: 'draft', note: 'n' }, deleted: false, lastCommitTs: '2026-11-24T09:00:00.000Z', lastPosition: 3 };

function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c1', app: 'main', entity: 'invoice', entity_id: 'i1', op: 'put', user: admin, data: { status: 'paid' }, ...partial };
}
function creates(decision: Decision) {
  if (decision.kind !== 'append') throw new Error(`refused: ${decision.error.message}`);
  return decision.creates;
}

describe('create_record actions', () => {
  it('a transition returns its create_record actions in order, beside its send_event events', () => {
    const decision = decideRecord({ command: command({}), head, entity, metadata: app.metadata, now: NOW });
    expect(creates(decision)).toEqual([{ entity: 'audit', data: { note: 'paid' } }, { entity: 'audit', data: { note: 'second' } }]);
    expect(decision.kind === 'append' && decision.events.map((e) => e.type)).toEqual(['updated', 'signaled']);
  });

  it('a write that makes no transition creates nothing', () => {
    expect(creates(decideRecord({ command: command({ data: { note: 'other' } }), head, entity, metadata: app.metadata, now: NOW }))).toBeUndefined();
  });

  it('an offline edit whose merge makes the transition creates the records too', () => {
    const stale: StaleContext = {
      base: { version: 1, state: head.state, deleted: false },
      since: [{ id: 'e2', command_id: 'o', parent: null, type: 'updated', version: 2, base_version: 1, patch: [{ op: 'replace', path: '/note', value: 'n2' }], submitted: { note: 'n2' }, submit_ts: '2026-11-24T09:30:00.000Z', device: 'd' }],
      submitTs: '2026-11-24T09:45:00.000Z', branchTs: head.lastCommitTs!, baseCommitTs: head.lastCommitTs,
    };
    const atV2: StreamHead = { ...head, version: 2, state: { ...head.state, note: 'n2' } };
    const merged = decideRecord({ command: command({ base_version: 1 }), head: atV2, entity, metadata: app.metadata, now: NOW, stale });
    expect(merged.kind === 'append' && merged.outcome).toBe('merged');
    expect(creates(merged)).toHaveLength(2);
  });

  it('the parts: a key made from the write, the same for the same command and another for another action or command', () => {
    const source = command({});
    const parts = actionCreateParts(source, [{ entity: 'audit', data: { note: 'paid' } }, { entity: 'audit', data: { note: 'second' } }], app.metadata);
    expect(parts.map((p) => p.entity_id)).toEqual([actionRecordKey(source, 0), actionRecordKey(source, 1)]);
    expect(parts[0]).toMatchObject({ op: 'create', entity: 'audit', command_id: 'c1', user: admin, base_version: null, data: { note: 'paid', audit_id: parts[0].entity_id } });
    expect(parts[0].entity_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(actionRecordKey(source, 0)).toBe(actionRecordKey(command({}), 0));
    expect(actionRecordKey(source, 0)).not.toBe(actionRecordKey(source, 1));
    expect(actionRecordKey(source, 0)).not.toBe(actionRecordKey(command({ command_id: 'c2' }), 0));
    expect(actionRecordKey(source, 0)).not.toBe(actionRecordKey(command({ user: { id: 'u2', roles: [] } }), 0));
    // A key the data names is the record's.
    expect(actionCreateParts(source, [{ entity: 'audit', data: { audit_id: '0190aaaa-0000-7000-8000-000000000001', note: 'x' } }], app.metadata)[0].entity_id).toBe('0190aaaa-0000-7000-8000-000000000001');
  });

  it('a refusal of the created record is the write\'s, named by the action', () => {
    const [part] = actionCreateParts(command({}), [{ entity: 'audit', data: { note: 'paid' } }], app.metadata);
    const refused = actionPartDecision(part, decideRecord({ command: { ...part, data: { ...part.data, note: 42 } }, head: null, entity: app.metadata.entities.get('audit')!, metadata: app.metadata, now: NOW }));
    expect(refused).toMatchObject({ kind: 'reject', error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('create_record audit'), details: [{ field: 'create_record audit.note' }] } });
  });
});
