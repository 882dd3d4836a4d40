import type { AppendCommand } from '@takes/contracts';
import { emptyMetadata, parseEntityDefinition, type AppMetadata } from '@takes/metadata';
import type { Permission } from '@takes/permissions';
import { decideRecord } from './decide-record';
import type { StaleContext } from './decide-stale';
import type { Decision, StreamHead } from './decision';

const parsed = parseEntityDefinition({
  name: 'inspection',
  primary_key: { field: 'id', type: 'string', generated: false },
  fields: [{ name: 'id', type: 'string' }, { name: 'division', type: 'string' }, { name: 'pressure', type: 'decimal', nullable: true }],
});
if (!parsed.ok) throw new Error('entity');
const entity = parsed.value;
const own = { field: 'division', operator: 'eq' as const, value: '$user.division' };
const grants: Permission[] = [
  { name: 'c', id: 'c', entity: 'inspection', action: 'create', roles: ['crew'], conditions: [own] },
  { name: 'u', id: 'u', entity: 'inspection', action: 'update', roles: ['crew'], conditions: [own, { field: 'pressure', operator: 'lte', value: 100 }] },
];
const metadata: AppMetadata = { ...emptyMetadata(), entities: new Map([['inspection', entity]]), permissions: new Map(grants.map((p) => [p.id, p])) };
const north = { id: 'n', roles: ['crew'], attributes: { division: 'north' } };
const head: StreamHead = { version: 2, state: { id: 'r1', division: 'north', pressure: 40 }, deleted: false, lastCommitTs: '2026-11-20T09:00:00.000Z' };

function decide(partial: Partial<AppendCommand>, extra: { head?: StreamHead | null; stale?: StaleContext } = {}): Decision {
  const command: AppendCommand = { v: 1, command_id: 'c1', app: 'main', entity: 'inspection', entity_id: 'r1', op: 'put', base_version: 2, user: north, ...partial };
  return decideRecord({ command, head: extra.head === undefined ? head : extra.head, entity, metadata, stale: extra.stale });
}
const code = (decision: Decision) => (decision.kind === 'reject' ? decision.error.code : decision.outcome);

describe('permission checks in decide', () => {
  it('a create must land inside the condition; an update must start and end inside it', () => {
    expect(code(decide({ op: 'create', base_version: 0, data: { id: 'r1', division: 'north' } }, { head: null }))).toBe('applied');
    expect(code(decide({ op: 'create', base_version: 0, data: { id: 'r1', division: 'south' } }, { head: null }))).toBe('FORBIDDEN');
    expect(code(decide({ data: { pressure: 99 } }))).toBe('applied');
    expect(code(decide({ data: { pressure: 101 } }))).toBe('FORBIDDEN');
    expect(code(decide({ data: { division: 'south' } }))).toBe('FORBIDDEN');
    expect(code(decide({ data: { pressure: 1 } }, { head: { ...head, state: { ...head.state, division: 'south' } } }))).toBe('FORBIDDEN');
    expect(code(decide({ data: { pressure: 1 }, user: { id: 's', roles: ['crew'], attributes: { division: 'south' } } }))).toBe('FORBIDDEN');
    expect(code(decide({ data: { pressure: 1 }, user: { id: 'a', roles: ['admin'] } }))).toBe('applied');
  });

  it('no permission for the action at all is refused, offline edits included; conditions failing offline shelve the edit with the reason', () => {
    expect(code(decide({ op: 'delete' }))).toBe('FORBIDDEN');
    const stale: StaleContext = {
      base: { version: 1, state: { id: 'r1', division: 'north', pressure: 30 }, deleted: false },
      since: [{ id: 'e2', command_id: 'c0', parent: null, type: 'updated', version: 2, base_version: 1, patch: [{ op: 'replace', path: '/division', value: 'south' }], submitted: { division: 'south' }, submit_ts: '2026-11-20T09:00:00.000Z', device: 'd0' }],
      submitTs: '2026-11-20T08:30:00.000Z',
      branchTs: '2026-11-20T08:00:00.000Z',
    };
    const moved: StreamHead = { ...head, state: { ...head.state, division: 'south' } };
    const shelved = decide({ base_version: 1, data: { pressure: 35 } }, { head: moved, stale });
    expect(shelved).toMatchObject({ kind: 'append', outcome: 'shelved', events: [{ type: 'shelved', submitted: { pressure: 35 }, reason: { code: 'FORBIDDEN' } }] });
    expect(code(decide({ base_version: 1, op: 'delete' }, { head: moved, stale }))).toBe('FORBIDDEN');
    expect(code(decide({ base_version: 1, data: { pressure: 35 }, user: { id: 'g', roles: ['guest'] } }, { head: moved, stale }))).toBe('FORBIDDEN');
  });

  it('a restore is an update of the record as it stands', () => {
    const deleted: StreamHead = { ...head, deleted: true };
    expect(code(decide({ op: 'restore' }, { head: deleted }))).toBe('applied');
    expect(code(decide({ op: 'restore' }, { head: { ...deleted, state: { ...head.state, pressure: 500 } } }))).toBe('FORBIDDEN');
  });
});
