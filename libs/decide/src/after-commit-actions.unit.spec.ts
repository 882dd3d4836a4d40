import type { AppendCommand } from '@takes/contracts';
import { checkMetaDefine, metaStateOf, withMetaItem, type MetaState } from '@takes/metadata';
import { decideRecord } from './decide-record';
import type { StaleContext } from './decide-stale';
import type { Decision, StreamHead } from './decision';

/** Issue 13: a transition's send_event and webhook actions become events after the write's own. */
const NOW = '2026-11-24T10:00:00.000Z';
function define(state: MetaState, key: string, definition: object): MetaState {
  const check = checkMetaDefine(key, definition, state);
  if (!check.ok) throw new Error(JSON.stringify(check));
  return withMetaItem(state, { key, definition: check.definition, removed: false });
}
const invoice = { name: 'invoice', primary_key: { field: 'id', type: 'string', generated: false }, fields: [{ name: 'id', type: 'string' }, { name: 'status', type: 'string' }, { name: 'note', type: 'string' }] };
const machine = {
  id: 'lifecycle', entity: 'invoice', field: 'status',
  definition: {
    initial: 'draft',
    transitions: [{ from: 'draft', to: 'paid', actions: [{ type: 'webhook', url: '/hooks/invoice-paid', method: 'put' }, { type: 'send_event', event: 'invoice_paid' }, { type: 'webhook', url: 'https://erp.example.com/paid' }] }],
  },
};
const app = define(define(metaStateOf([]), 'entity:invoice', invoice), 'state_machine:lifecycle', machine);
const entity = app.metadata.entities.get('invoice')!;
const head: StreamHead = { version: 4, state: { id: 'i1', status: 'draft', note: 'n' }, deleted: false, lastCommitTs: '2026-11-24T09:00:00.000Z', lastPosition: 3 };
const command = (partial: Partial<AppendCommand> = {}): AppendCommand => ({ v: 1, command_id: 'c1', app: 'main', entity: 'invoice', entity_id: 'i1', op: 'put', user: { id: 'u1', roles: ['admin'] }, data: { status: 'paid' }, ...partial });
const events = (decision: Decision) => {
  if (decision.kind !== 'append') throw new Error(`refused: ${decision.error.message}`);
  return decision.events;
};

describe("a transition's after-commit actions", () => {
  it('append, in the order listed, a webhook_requested event per webhook and a signaled event per send_event, each changing nothing', () => {
    const appended = events(decideRecord({ command: command(), head, entity, metadata: app.metadata, now: NOW }));
    expect(appended.map((e) => [e.type, e.version, e.patch.length])).toEqual([['updated', 5, 1], ['webhook_requested', 6, 0], ['signaled', 7, 0], ['webhook_requested', 8, 0]]);
    const transition = { field: 'status', from: 'draft', to: 'paid', before_version: 4 };
    expect(appended[1].webhook).toEqual({ url: '/hooks/invoice-paid', method: 'PUT', source: 'state_machine:lifecycle', transition });
    expect(appended[2].signal).toBe('invoice_paid');
    expect(appended[3].webhook).toEqual({ url: 'https://erp.example.com/paid', method: 'POST', source: 'state_machine:lifecycle', transition });
  });

  it('a write that makes no transition asks for no call', () => {
    expect(events(decideRecord({ command: command({ data: { note: 'other' } }), head, entity, metadata: app.metadata, now: NOW })).map((e) => e.type)).toEqual(['updated']);
  });

  it("an offline edit whose merge makes the transition asks for the call, naming the version before the merge", () => {
    const stale: StaleContext = {
      base: { version: 3, state: head.state, deleted: false },
      since: [{ id: 'e4', command_id: 'o', parent: null, type: 'updated', version: 4, base_version: 3, patch: [{ op: 'replace', path: '/note', value: 'n2' }], submitted: { note: 'n2' }, submit_ts: '2026-11-24T09:30:00.000Z', device: 'd' }],
      submitTs: '2026-11-24T09:45:00.000Z', branchTs: head.lastCommitTs!, baseCommitTs: head.lastCommitTs,
    };
    const appended = events(decideRecord({ command: command({ base_version: 3 }), head: { ...head, state: { ...head.state, note: 'n2' } }, entity, metadata: app.metadata, now: NOW, stale }));
    expect(appended.map((e) => e.type)).toEqual(['merged', 'webhook_requested', 'signaled', 'webhook_requested']);
    expect(appended[1].webhook?.transition).toEqual({ field: 'status', from: 'draft', to: 'paid', before_version: 4 });
  });
});

describe('a signal command (a workflow\'s send_event or webhook action)', () => {
  const signal = (data: object) => command({ op: 'signal', data: data as Record<string, unknown>, user: { id: 'workflow:w1', roles: ['admin'] } });

  it("appends one event at the record's head that changes nothing", () => {
    const named = events(decideRecord({ command: signal({ event: 'po_approved' }), head, entity, metadata: app.metadata, now: NOW }));
    expect(named).toMatchObject([{ type: 'signaled', version: 5, prior_version: 4, patch: [], signal: 'po_approved' }]);
    const request = { url: '/hooks/po-rejected', method: 'POST', source: 'workflow:w1', workflow: { instance: 'i1', step: 'rejected' } };
    const call = events(decideRecord({ command: signal({ webhook: request }), head, entity, metadata: app.metadata, now: NOW }));
    expect(call).toMatchObject([{ type: 'webhook_requested', version: 5, patch: [], webhook: request }]);
  });

  it('is refused on a deleted record or one that does not exist, appending nothing', () => {
    const deleted = decideRecord({ command: signal({ event: 'x' }), head: { ...head, deleted: true }, entity, metadata: app.metadata, now: NOW });
    expect(deleted).toMatchObject({ kind: 'reject', error: { code: 'NOT_FOUND' } });
    expect(decideRecord({ command: signal({ event: 'x' }), head: null, entity, metadata: app.metadata, now: NOW })).toMatchObject({ kind: 'reject', error: { code: 'NOT_FOUND' } });
  });

  it("needs the update permission, as the workflow's roles carry it", () => {
    const clerk = decideRecord({ command: { ...signal({ event: 'x' }), user: { id: 'workflow:w1', roles: ['clerk'] } }, head, entity, metadata: app.metadata, now: NOW });
    expect(clerk).toMatchObject({ kind: 'reject', error: { code: 'FORBIDDEN' } });
  });
});
