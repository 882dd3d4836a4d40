import { commandFingerprint } from '@takes/decide';
import type { AppendCommand, AppendResult } from '@takes/contracts';
import { createStoreFixture, testUser, type StoreFixture } from '../testing/store-fixture';
import { defineTestEntity } from '../testing/test-entity';

/** A nested write as the event store receives it: one command, writes to several records. */
describe('nested writes in the event store (real PostgreSQL, in-process)', () => {
  let store: StoreFixture;
  beforeAll(async () => {
    store = await createStoreFixture('nested_append');
    await defineItem(store);
  });
  afterAll(() => store.close());

  const eventsOf = (commandId: string) =>
    store.db.selectFrom('events').select(['id', 'entity', 'entity_id', 'type', 'version', 'position', 'command_id']).where('command_id', '=', commandId).orderBy('position').execute();

  it('appends one event per record in one transaction: own ids, the command id on each, consecutive positions, one result', async () => {
    const reply = await store.append({
      command_id: 'nested-1',
      entity_id: 'inv-1',
      op: 'create',
      data: { id: 'inv-1', a: 1 },
      children: [
        { entity: 'item', entity_id: 'it-1', op: 'create', data: { id: 'it-1', a: 'inv-1', code: 'A' }, path: 'items[0]' },
        { entity: 'item', entity_id: 'it-2', op: 'create', data: { id: 'it-2', a: 'inv-1', code: 'B' }, path: 'items[1]' },
        { entity: '_link_tags', entity_id: '["inv-1","t-1"]', op: 'create', data: { _link: '["inv-1","t-1"]', invoice_id: 'inv-1', tag_id: 't-1' }, path: 'tags' },
      ],
    });
    if (!('data' in reply)) throw new Error(JSON.stringify(reply));
    const result: AppendResult = reply.data;
    const events = await eventsOf('nested-1');
    expect(events.map((e) => [e.entity, e.entity_id, e.type, e.version])).toEqual([
      ['inspection', 'inv-1', 'created', 1],
      ['item', 'it-1', 'created', 1],
      ['item', 'it-2', 'created', 1],
      ['_link_tags', '["inv-1","t-1"]', 'created', 1],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    const positions = events.map((e) => Number(e.position));
    expect(positions).toEqual([positions[0], positions[0] + 1, positions[0] + 2, positions[0] + 3]);
    expect(result.position).toBe(positions[3]);
    expect(result.related?.map((r) => [r.path, r.entity, r.entity_id, r.version, r.record])).toEqual([
      ['items[0]', 'item', 'it-1', 1, { id: 'it-1', a: 'inv-1', code: 'A' }],
      ['items[1]', 'item', 'it-2', 1, { id: 'it-2', a: 'inv-1', code: 'B' }],
      ['tags', '_link_tags', '["inv-1","t-1"]', 1, { _link: '["inv-1","t-1"]', invoice_id: 'inv-1', tag_id: 't-1' }],
    ]);
    const heads = await store.db.selectFrom('streams').select(['entity_id', 'version', 'last_position']).where('entity_id', 'in', ['inv-1', 'it-1', 'it-2']).orderBy('entity_id').execute();
    expect(heads.map((h) => [h.entity_id, h.version, Number(h.last_position)])).toEqual([
      ['inv-1', 1, positions[0]],
      ['it-1', 1, positions[1]],
      ['it-2', 1, positions[2]],
    ]);
  });

  it('refuses the whole command when one record is refused: nothing of it is stored, and the error names the row', async () => {
    const before = await store.eventCount();
    const reply = await store.append({
      command_id: 'nested-2',
      entity_id: 'inv-1',
      op: 'put',
      data: { a: 2 },
      children: [
        { entity: 'item', entity_id: 'it-3', op: 'create', data: { id: 'it-3', a: 'inv-1', code: 'C' }, path: 'items[0]' },
        // Takes it-1's code: only the store's unique reservations can tell.
        { entity: 'item', entity_id: 'it-4', op: 'create', data: { id: 'it-4', a: 'inv-1', code: 'A' }, path: 'items[1]' },
      ],
    });
    expect(reply).toMatchObject({ error: { code: 'CONFLICT', details: [{ field: 'items[1].code', rule: 'unique' }] } });
    expect(await store.eventCount()).toBe(before);
    expect(await eventsOf('nested-2')).toEqual([]);
    const head = await store.db.selectFrom('streams').select(['version', 'state']).where('entity_id', '=', 'inv-1').executeTakeFirstOrThrow();
    expect(head).toEqual({ version: 1, state: { id: 'inv-1', a: 1 } });
    // it-3's code C was not kept reserved by the refused command.
    const again = await store.append({ entity: 'item', entity_id: 'it-9', op: 'create', data: { id: 'it-9', code: 'C' } });
    expect(again).toMatchObject({ data: { outcome: 'applied' } });
  });

  it('a child whose record changed since the plan (deleted meanwhile) refuses the command with CONFLICT', async () => {
    await store.append({ entity: 'item', entity_id: 'it-2', op: 'delete' });
    const reply = await store.append({
      command_id: 'nested-3',
      entity_id: 'inv-1',
      op: 'put',
      data: { a: 3 },
      children: [{ entity: 'item', entity_id: 'it-2', op: 'put', data: { a: 'x' }, path: 'items[0]' }],
    });
    expect(reply).toMatchObject({ error: { code: 'CONFLICT', message: expect.stringContaining('items[0] (item it-2)') } });
    expect(await eventsOf('nested-3')).toEqual([]);
  });

  it('refuses a command that writes one record twice, or metadata', async () => {
    const twice = await store.append({
      command_id: 'nested-4',
      entity_id: 'inv-1',
      op: 'put',
      data: { a: 4 },
      children: [{ entity: 'inspection', entity_id: 'inv-1', op: 'put', data: { a: 5 } }],
    });
    expect(twice).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    const meta = await store.append({
      command_id: 'nested-5',
      entity_id: 'inv-1',
      op: 'put',
      data: { a: 4 },
      children: [{ entity: '_meta', entity_id: 'entity:x', op: 'create', data: {} }],
    });
    expect(meta).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
  });

  it('a resent nested command gets the first result and appends nothing; with the same request hash, even with other generated keys', async () => {
    const command = (itemId: string): AppendCommand => ({
      v: 1,
      command_id: 'nested-6',
      app: 'main',
      entity: 'inspection',
      entity_id: 'inv-6',
      op: 'create',
      data: { id: 'inv-6' },
      children: [{ entity: 'item', entity_id: itemId, op: 'create', data: { id: itemId, a: 'inv-6' } }],
      request_hash: 'client-request-6',
      user: testUser,
    });
    const first = await store.committer.submit({ command: command('gen-1'), fingerprint: commandFingerprint(command('gen-1')) });
    const before = await store.eventCount();
    const second = await store.committer.submit({ command: command('gen-2'), fingerprint: commandFingerprint(command('gen-2')) });
    expect(second).toEqual(first);
    expect(await store.eventCount()).toBe(before);
    expect(await store.db.selectFrom('streams').select('entity_id').where('entity_id', '=', 'gen-2').execute()).toEqual([]);
  });

  it('in one group commit, a refused nested command leaves nothing behind for the members after it', async () => {
    // One lane: commands that arrive while a transaction runs queue and are decided
    // together in the next one (the sizes of the groups show it).
    const groups: number[] = [];
    const single = await createStoreFixture('nested_group', { groupCommit: { lanes: 1 }, onBatch: (size) => groups.push(size) });
    try {
      await defineItem(single);
      await single.append({ entity: 'item', entity_id: 'taken', op: 'create', data: { id: 'taken', code: 'TAKEN' } });
      groups.length = 0;
      const [blocker, refused, sameCode, sameRecord] = await Promise.all([
        single.append({ command_id: 'blocker', entity_id: 'b', op: 'create', data: { id: 'b' } }),
        single.append({
          command_id: 'g-1',
          entity_id: 'inv-g',
          op: 'create',
          data: { id: 'inv-g' },
          children: [
            { entity: 'item', entity_id: 'c-new', op: 'create', data: { id: 'c-new', code: 'NEW' } },
            { entity: 'item', entity_id: 'c-bad', op: 'create', data: { id: 'c-bad', code: 'TAKEN' } },
          ],
        }),
        // Had the refused command's first child stayed in the group's state, its code
        // would be taken for another record, and its record would exist.
        single.append({ command_id: 'g-2', entity: 'item', entity_id: 'c-other', op: 'create', data: { id: 'c-other', code: 'NEW' } }),
        single.append({ command_id: 'g-3', entity: 'item', entity_id: 'c-new', op: 'create', data: { id: 'c-new', code: 'OTHER' } }),
      ]);
      // g-1, g-2 and g-3 were decided in one group (with or without the blocker).
      expect(groups.reduce((a, b) => a + b, 0)).toBe(4);
      expect(groups[groups.length - 1]).toBeGreaterThanOrEqual(3);
      expect(blocker).toMatchObject({ data: { outcome: 'applied' } });
      expect(refused).toMatchObject({ error: { code: 'CONFLICT' } });
      expect(sameCode).toMatchObject({ data: { outcome: 'applied', version: 1 } });
      expect(sameRecord).toMatchObject({ data: { outcome: 'applied', version: 1, record: { code: 'OTHER' } } });
      const streams = await single.db.selectFrom('streams').select('entity_id').where('entity_id', 'in', ['inv-g', 'c-new', 'c-bad', 'c-other']).orderBy('entity_id').execute();
      expect(streams).toEqual([{ entity_id: 'c-new' }, { entity_id: 'c-other' }]);
    } finally {
      await single.close();
    }
  });

  it('an offline parent edit that would be shelved refuses its related rows with it', async () => {
    const doc = defineTestEntity('doc', 'main', 'field');
    (doc.data as { fields: object[] }).fields.push({ name: 'code', type: 'string', unique: true });
    expect('data' in (await store.committer.submit({ command: doc, fingerprint: commandFingerprint(doc) }))).toBe(true);
    await store.append({ entity: 'doc', entity_id: 'd-1', op: 'create', data: { id: 'd-1', code: 'D1' } });
    await store.append({ entity: 'doc', entity_id: 'd-2', op: 'create', data: { id: 'd-2', code: 'D2' } });
    await store.append({ entity: 'doc', entity_id: 'd-1', op: 'put', data: { a: 'online' } });
    const before = await store.eventCount();
    // Edited offline at version 1, it takes d-2's code: alone it would be shelved.
    const reply = await store.append({
      command_id: 'nested-shelved',
      entity: 'doc',
      entity_id: 'd-1',
      op: 'put',
      base_version: 1,
      data: { code: 'D2' },
      children: [{ entity: 'item', entity_id: 'd-1-item', op: 'create', data: { id: 'd-1-item' }, path: 'items[0]' }],
    });
    expect(reply).toMatchObject({ error: { code: 'CONFLICT', message: expect.stringContaining('shelved') } });
    expect(await store.eventCount()).toBe(before);
  });
});

describe('a record key never changes, and a write that changes nothing appends nothing (issue 11, in the store)', () => {
  let store: StoreFixture;
  beforeAll(async () => {
    store = await createStoreFixture('integrity_append');
    await defineItem(store);
    const visit = defineTestEntity('visit', 'main', 'field');
    expect('data' in (await store.committer.submit({ command: visit, fingerprint: commandFingerprint(visit) }))).toBe(true);
  });
  afterAll(() => store.close());

  const immutable = { error: { code: 'VALIDATION_FAILED', details: [{ field: 'id', rule: 'immutable' }] } };

  it('a nested write whose related row would change its key is refused whole, nothing appended', async () => {
    await store.append({ entity_id: 'inv-k', op: 'create', data: { id: 'inv-k' }, children: [{ entity: 'item', entity_id: 'it-k', op: 'create', data: { id: 'it-k', a: 'inv-k' } }] });
    const before = await store.eventCount();
    const reply = await store.append({ entity_id: 'inv-k', op: 'put', data: { a: 2 }, children: [{ entity: 'item', entity_id: 'it-k', op: 'put', data: { id: 'it-other', a: 'x' }, path: 'items[0]' }] });
    expect(reply).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'items[0].id', rule: 'immutable' }] } });
    expect(await store.eventCount()).toBe(before);
  });

  it('an offline (stale) edit that would change the key is refused, not merged or shelved', async () => {
    await store.append({ entity: 'visit', entity_id: 'v-k', op: 'create', data: { id: 'v-k', a: 1 } });
    await store.append({ entity: 'visit', entity_id: 'v-k', op: 'put', data: { a: 2 } });
    const before = await store.eventCount();
    expect(await store.append({ entity: 'visit', entity_id: 'v-k', op: 'put', base_version: 1, data: { id: 'v-other', b: 1 } })).toMatchObject(immutable);
    expect(await store.append({ entity: 'visit', entity_id: 'v-k', op: 'patch', base_version: 1, patch: [{ op: 'replace', path: '/id', value: 'v-other' }] })).toMatchObject(immutable);
    expect(await store.append({ entity: 'visit', entity_id: 'v-k', op: 'resolve', data: { field: '/id', value: 'v-other' } })).toMatchObject(immutable);
    expect(await store.eventCount()).toBe(before);
  });

  it('a write that changes nothing: no event, the current version and position, the same answer when resent', async () => {
    const created = await store.append({ entity: 'visit', entity_id: 'v-n', op: 'create', data: { id: 'v-n', a: 1 } });
    if (!('data' in created)) throw new Error(JSON.stringify(created));
    const before = await store.eventCount();
    const noop = { entity: 'visit', entity_id: 'v-n', op: 'put' as const, command_id: 'noop-1', data: { a: 1 } };
    const first = await store.append(noop);
    expect(first).toMatchObject({ data: { outcome: 'unchanged', version: 1, position: created.data.position, events: [], record: { id: 'v-n', a: 1 } } });
    expect(await store.append(noop)).toEqual(first);
    expect(await store.append({ entity: 'visit', entity_id: 'v-n', op: 'patch', patch: [{ op: 'test', path: '/a', value: 1 }] })).toMatchObject({ data: { outcome: 'unchanged', version: 1 } });
    expect(await store.eventCount()).toBe(before);
    const head = await store.db.selectFrom('streams').select(['version']).where('entity_id', '=', 'v-n').executeTakeFirstOrThrow();
    expect(head.version).toBe(1);
  });
});

async function defineItem(fixture: StoreFixture): Promise<void> {
  const item = defineTestEntity('item');
  // `code` of an item is unique: the store alone can refuse a child for it.
  (item.data as { fields: object[] }).fields.push({ name: 'code', type: 'string', unique: true });
  const defined = await fixture.committer.submit({ command: item, fingerprint: commandFingerprint(item) });
  expect('data' in defined).toBe(true);
}
