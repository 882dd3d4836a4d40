import type { AppendCommand } from '@takes/contracts';
import { metaStateOf, withMetaItem, type MetaState } from '@takes/metadata';
import { decideMeta } from './decide-meta';
import { decideRecord } from './decide-record';
import type { Decision, StreamHead } from './decision';
import { replay } from './record-state';

const user = { id: 'u1', roles: ['admin'] };
function command(partial: Partial<AppendCommand>): AppendCommand {
  return { v: 1, command_id: 'c1', app: 'main', entity: '_meta', entity_id: 'entity:inspection', op: 'define', user, ...partial };
}
function appended(decision: Decision) {
  if (decision.kind !== 'append') throw new Error(`expected append, got ${decision.error.code} ${decision.error.message}`);
  return decision;
}
function rejected(decision: Decision) {
  if (decision.kind !== 'reject') throw new Error('expected a rejection');
  return decision.error;
}
const none = metaStateOf([]);
const decide = (partial: Partial<AppendCommand>, head: StreamHead | null = null, app: MetaState = none) => decideMeta({ command: command(partial), head, app });

/** An app's metadata after each of these defines, decided one after another as the store does. */
function defined(commands: Partial<AppendCommand>[]): MetaState {
  return commands.reduce((app, partial) => {
    const decision = appended(decide(partial, null, app));
    return withMetaItem(app, { key: partial.entity_id!, definition: decision.next.state, removed: false });
  }, none);
}

describe('decideMeta (_meta)', () => {
  it('define sets the whole definition; remove tombstones it; define again brings it back', () => {
    const first = appended(decide({ data: { name: 'inspection', fields: [{ name: 'a', type: 'string' }] } }));
    expect(first.events[0]).toMatchObject({ type: 'defined', version: 1 });
    expect(first.next.state).toMatchObject({ name: 'inspection', history: true, merge_policy: 'field' });
    const h1 = { ...first.next, lastCommitTs: null };
    const app1 = withMetaItem(none, { key: 'entity:inspection', definition: first.next.state, removed: false });
    const second = appended(decide({ data: { name: 'inspection', fields: [{ name: 'b', type: 'int' }] } }, h1, app1));
    expect((second.next.state.fields as { name: string }[]).map((f) => f.name)).toContain('b');
    const removed = appended(decide({ op: 'remove' }, { ...second.next, lastCommitTs: null }));
    expect(removed.events[0].type).toBe('removed');
    expect(removed.next.deleted).toBe(true);
    const events = [first, second, removed].map((d) => d.events[0]);
    expect(replay(events)).toEqual(removed.next);
    const again = appended(decide({ data: { name: 'inspection', fields: [{ name: 'c', type: 'date' }] } }, { ...removed.next, lastCommitTs: null }));
    expect(replay([...events, again.events[0]])).toEqual({ version: 4, state: again.next.state, deleted: false });
    expect(rejected(decide({ data: { name: 'Bad Name', fields: [] } })).code).toBe('VALIDATION_FAILED');
  });

  it('define with a stale base version is CONFLICT (two admins editing one definition)', () => {
    const h = { version: 2, state: { name: 'x' }, deleted: false, lastCommitTs: null };
    const data = { name: 'inspection', fields: [{ name: 'a', type: 'string' }] };
    expect(rejected(decide({ base_version: 1, data }, h)).code).toBe('CONFLICT');
    expect(rejected(decide({ base_version: 0, data }, h)).code).toBe('CONFLICT');
  });

  it('record ops on _meta and metadata ops on records are refused', () => {
    expect(rejected(decide({ op: 'put', data: {} })).code).toBe('INVALID_PAYLOAD');
    expect(rejected(decideRecord({ command: command({ entity: 'inspection', entity_id: 'r1', data: {} }), head: null, entity: null, metadata: none.metadata })).code).toBe('INVALID_PAYLOAD');
    expect(rejected(decide({ op: 'remove' })).code).toBe('NOT_FOUND');
  });

  describe('the change checks of the registry of metadata kinds, as the gateway asks them', () => {
    const invoice = { name: 'invoice', table: 'invoices', fields: [{ name: 'id', type: 'uuid' }, { name: 'total', type: 'int' }] };
    const tag = { name: 'tag', table: 'tags', fields: [{ name: 'id', type: 'uuid' }] };
    const tags = { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id' };
    const app = defined([
      { entity_id: 'entity:invoice', data: invoice },
      { entity_id: 'entity:tag', data: tag },
      { entity_id: 'relation:tags', data: tags },
    ]);
    const head = (key: string): StreamHead => ({ version: 1, state: app.items.get(key)!.definition, deleted: false, lastCommitTs: null });

    it('refuses a table another entity or relation owns', () => {
      const error = rejected(decide({ entity_id: 'entity:receipt', data: { name: 'receipt', table: 'invoice_tags', fields: [] } }, null, app));
      expect([error.code, error.details]).toEqual(['VALIDATION_FAILED', [expect.objectContaining({ field: 'table', rule: 'conflict' })]]);
    });

    it('refuses a change of a field type, and a many_to_many whose shape changes', () => {
      const retyped = { ...invoice, fields: [{ name: 'id', type: 'uuid' }, { name: 'total', type: 'string' }] };
      expect(rejected(decide({ entity_id: 'entity:invoice', base_version: 1, data: retyped }, head('entity:invoice'), app)).details).toEqual([
        expect.objectContaining({ field: 'fields[1].type', rule: 'immutable' }),
      ]);
      const moved = { ...tags, join_table: 'invoice_tags_2' };
      expect(rejected(decide({ entity_id: 'relation:tags', base_version: 1, data: moved }, head('relation:tags'), app)).details).toEqual([
        expect.objectContaining({ field: 'join_table', rule: 'immutable' }),
      ]);
      expect(appended(decide({ entity_id: 'relation:tags', base_version: 1, data: { ...tags, write_mode: 'replace' } }, head('relation:tags'), app)).next.state).toMatchObject({ write_mode: 'replace' });
    });

    it('refuses a definition not named as its key, or a relation to an entity the app lacks', () => {
      expect(rejected(decide({ entity_id: 'entity:other', data: invoice }, null, app)).details).toEqual([expect.objectContaining({ rule: 'mismatch' })]);
      expect(rejected(decide({ entity_id: 'relation:labels', data: { ...tags, name: 'labels', join_table: 'labels', target: 'nowhere' } }, null, app)).code).toBe('VALIDATION_FAILED');
    });
  });
});
