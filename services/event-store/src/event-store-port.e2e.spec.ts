import { NatsEventStore } from '@takes/bus';
import { TakesError, type AppendCommand, type EventStore } from '@takes/contracts';
import { startStoreCluster, type StoreCluster } from './testing/store-processes';
import { defineTestEntity } from './testing/test-entity';

// The EventStore port (NatsEventStore) against a real event store process over NATS:
// what the store answers, callers get, codes and details included.

const user = { id: 'port-user', roles: ['admin'] };
let seq = 0;
function command(partial: Partial<AppendCommand> & Pick<AppendCommand, 'entity_id' | 'op'>): AppendCommand {
  return { v: 1, command_id: `port-${Date.now()}-${++seq}`, app: 'main', entity: 'inspection', user, ...partial } as AppendCommand;
}

async function refusal(call: Promise<unknown>): Promise<TakesError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TakesError);
  return error as TakesError;
}

describe('the EventStore port over NATS', () => {
  let cluster: StoreCluster;
  let store: EventStore;
  beforeAll(async () => {
    cluster = await startStoreCluster('es_port', 1);
    store = new NatsEventStore(cluster.stream.nc, { subjectPrefix: cluster.stream.prefix, timeoutMs: 10_000 });
  });
  afterAll(() => cluster.close());

  it('appends and reads back: the stream, the state at a version, the head, events after a position, the last position, the command, the metadata', async () => {
    const created = await store.append(command({ entity_id: 'p1', op: 'create', data: { n: 1 } }));
    const updated = await store.append(command({ entity_id: 'p1', op: 'put', base_version: 1, data: { n: 2 } }));
    expect(updated).toMatchObject({ outcome: 'applied', version: 2 });

    const page = await store.readStream({ app: 'main', entity: 'inspection', entity_id: 'p1' });
    expect(page.events.map((e) => e.version)).toEqual([1, 2]);
    expect(page.next_version).toBeNull();
    expect(await store.stateAt({ app: 'main', entity: 'inspection', entity_id: 'p1', version: 1 })).toMatchObject({ version: 1, state: { n: 1 } });
    expect(await store.head({ app: 'main', entity: 'inspection', entity_id: 'p1' })).toMatchObject({ version: 2, deleted: false, state: { n: 2 } });
    const after = await store.readAfter({ after_position: created.position, until_position: updated.position, limit: 10 });
    expect(after.events.map((e) => e.position)).toEqual([updated.position]);
    expect(after.next_position).toBe(updated.position);
    expect(await store.lastPosition()).toBeGreaterThanOrEqual(updated.position);
    expect(await store.command({ app: 'main', user_id: user.id, command_id: updated.command_id })).toEqual({ seen: true });
    expect(await store.command({ app: 'main', user_id: user.id, command_id: 'never-sent' })).toEqual({ seen: false });
    expect((await store.readMeta({ app: 'main' })).map((item) => item.key)).toEqual(expect.arrayContaining(['entity:inspection', 'entity:other']));
  });

  it('a metadata read narrowed to a key prefix and to what changed after a position, with the position it covers', async () => {
    const before = await store.readMetaAt({ app: 'main', key_prefix: 'entity:port_' });
    expect(before.items).toEqual([]);
    expect(before.position).toBe(await store.lastPosition());

    const defined = await store.append(defineTestEntity('port_one'));
    const since = await store.readMetaAt({ app: 'main', key_prefix: 'entity:port_', changed_after: before.position });
    expect(since.items.map((item) => [item.key, item.position])).toEqual([['entity:port_one', defined.position]]);
    expect(since.position).toBeGreaterThanOrEqual(defined.position);
    // Nothing after the position it covered; the prefix is a prefix, not a pattern.
    expect((await store.readMetaAt({ app: 'main', key_prefix: 'entity:port_', changed_after: since.position })).items).toEqual([]);
    expect((await store.readMetaAt({ app: 'main', key_prefix: 'entity:port%' })).items).toEqual([]);
    expect((await store.readMetaAt({ app: 'main', key_prefix: 'entity:' })).items.map((item) => item.key)).toEqual(expect.arrayContaining(['entity:inspection', 'entity:port_one']));
  });

  it('a read the store refuses is NOT_FOUND with its message', async () => {
    await store.append(command({ entity_id: 'p2', op: 'create', data: { n: 1 } }));
    const missingVersion = await refusal(store.stateAt({ app: 'main', entity: 'inspection', entity_id: 'p2', version: 9 }));
    expect(missingVersion).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('p2') });
    expect(await refusal(store.head({ app: 'main', entity: 'inspection', entity_id: 'nobody' }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an append the store refuses is CONFLICT with its details; a reused command id is VALIDATION_FAILED with its details', async () => {
    await store.append(command({ entity_id: 'p3', op: 'create', data: { n: 1 } }));
    await store.append(command({ entity_id: 'p3', op: 'put', base_version: 1, data: { n: 2 } }));
    const stale = await refusal(store.append(command({ entity_id: 'p3', op: 'put', base_version: 1, data: { n: 3 } })));
    expect(stale).toMatchObject({ code: 'CONFLICT', details: { version: 2 } });

    const first = command({ entity_id: 'p4', op: 'create', data: { n: 1 } });
    await store.append(first);
    const reused = await refusal(store.append({ ...first, data: { n: 2 } }));
    expect(reused.code).toBe('VALIDATION_FAILED');
    expect(reused.details).toEqual([expect.objectContaining({ field: 'command_id', rule: 'idempotency' })]);
  });

  it('a request the store cannot read is INVALID_PAYLOAD with one detail per problem', async () => {
    const bad = await refusal(store.readAfter({ after_position: -1 }));
    expect(bad.code).toBe('INVALID_PAYLOAD');
    expect(bad.details).toEqual([expect.objectContaining({ field: 'after_position' })]);
  });

  it('is UNAVAILABLE when no event store listens', async () => {
    const nowhere = new NatsEventStore(cluster.stream.nc, { subjectPrefix: `${cluster.stream.prefix}nobody.`, timeoutMs: 1_000 });
    expect(await refusal(nowhere.readStream({ app: 'main', entity: 'inspection', entity_id: 'p1' }))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(await refusal(nowhere.append(command({ entity_id: 'p5', op: 'create', data: { n: 1 } })))).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
