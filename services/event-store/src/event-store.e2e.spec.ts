import { headers as natsHeaders } from 'nats';
import type { AppendCommand, RecordStateView, StreamHeadView, TakesEvent } from '@takes/contracts';
import { clockPast } from '@takes/testing';
import { startStoreCluster, type StoreCluster } from './testing/store-processes';

const user = { id: 'crew-7', roles: ['admin'] };
let seq = 0;
function command(partial: Partial<AppendCommand> & Pick<AppendCommand, 'entity_id' | 'op'>): AppendCommand {
  return { v: 1, command_id: `e2e-${Date.now()}-${++seq}`, app: 'main', entity: 'inspection', user, ...partial } as AppendCommand;
}

describe('event store as processes, driven over NATS', () => {
  let cluster: StoreCluster;
  beforeAll(async () => {
    cluster = await startStoreCluster('es_e2e', 2);
  });
  afterAll(() => cluster.close());

  it('50 concurrent writers with the same base over two processes: exactly one appends, 49 get CONFLICT; then 1,000 sequential writes are gapless', async () => {
    const id = 'contended';
    expect(await cluster.send(command({ entity_id: id, op: 'create', data: { n: 0 } }))).toMatchObject({ data: { version: 1 } });
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => cluster.send(command({ entity_id: id, op: 'put', base_version: 1, data: { n: i + 1 } }))),
    );
    expect(replies.filter((r) => 'data' in r)).toHaveLength(1);
    const conflicts = replies.filter((r) => 'error' in r && r.error.code === 'CONFLICT');
    expect(conflicts).toHaveLength(49);
    expect(conflicts[0]).toMatchObject({ error: { details: { version: 2 } } });

    for (let i = 0; i < 1_000; i += 1) {
      const reply = await cluster.send(command({ entity_id: id, op: 'patch', patch: [{ op: 'replace', path: '/n', value: i }] }));
      if (!('data' in reply)) throw new Error(JSON.stringify(reply));
    }
    const versions: number[] = [];
    let from: number | null = 1;
    while (from !== null) {
      const page: Awaited<ReturnType<typeof cluster.request<{ events: TakesEvent[]; next_version: number | null }>>> = await cluster.request<{ events: TakesEvent[]; next_version: number | null }>(cluster.subjects.storeRead('stream'), {
        app: 'main', entity: 'inspection', entity_id: id, from_version: from, limit: 300,
      });
      if (!('data' in page)) throw new Error(JSON.stringify(page));
      versions.push(...page.data.events.map((e) => e.version));
      from = page.data.next_version;
    }
    expect(versions).toEqual(Array.from({ length: 1_002 }, (_, i) => i + 1));
  });

  it('the same command id 20 times at once to two processes: one result, one event; another body: 422', async () => {
    const create = command({ entity_id: 'idem', op: 'create', data: { a: 1 } });
    const replies = await Promise.all(Array.from({ length: 20 }, () => cluster.send(create)));
    const first = replies[0];
    expect(first).toMatchObject({ data: { version: 1 } });
    for (const reply of replies) expect(reply).toEqual(first);
    const rows = await cluster.sql('SELECT count(*)::int AS n FROM event_store.events WHERE command_id = $1', [create.command_id]);
    expect(rows[0]).toEqual({ n: 1 });

    const other = await cluster.send({ ...create, data: { a: 2 } });
    expect(other).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'command_id', rule: 'idempotency' }] } });
    // The same id by another user is another command.
    expect(await cluster.send({ ...create, entity_id: 'idem-2', user: { id: 'crew-8', roles: ['admin'] } })).toMatchObject({ data: { version: 1 } });
  });

  it('bad input gets the documented error and appends nothing', async () => {
    await cluster.send(command({ entity_id: 'bad', op: 'create', data: { a: 1, list: [1] } }));
    const before = await cluster.eventCount();
    const subject = cluster.subjects.command('main', 'inspection');

    const raw = await cluster.stream.nc.request(subject, Buffer.from('{"not json'), { timeout: 5_000, headers: natsHeaders() });
    expect(JSON.parse(Buffer.from(raw.data).toString())).toEqual({ error: { code: 'INVALID_PAYLOAD', message: 'message body is not JSON' } });

    const cases: [unknown, string][] = [
      [{ ...command({ entity_id: 'bad', op: 'put', data: {} }), op: 'frobnicate' }, 'INVALID_PAYLOAD'],
      [{ ...command({ entity_id: 'bad', op: 'put', data: {} }), surprise: true }, 'INVALID_PAYLOAD'],
      [{ ...command({ entity_id: 'bad', op: 'put' }) }, 'INVALID_PAYLOAD'],
      [command({ entity_id: 'bad', op: 'patch', patch: 'nope' as never }), 'INVALID_PAYLOAD'],
      [command({ entity_id: 'bad', op: 'patch', patch: [{ op: 'replace', path: '/missing/deep', value: 1 }] }), 'INVALID_PAYLOAD'],
      [command({ entity_id: 'bad', op: 'patch', patch: [{ op: 'move', from: '/nope', path: '/a' }] }), 'INVALID_PAYLOAD'],
      [command({ entity_id: 'bad', op: 'patch', patch: [{ op: 'add', path: '/list/9', value: 1 }] }), 'INVALID_PAYLOAD'],
      [command({ entity_id: 'bad', op: 'patch', patch: [{ op: 'test', path: '/a', value: 2 }, { op: 'replace', path: '/a', value: 3 }] }), 'CONFLICT'],
      [command({ entity_id: 'bad', op: 'put', data: { blob: 'x'.repeat(600 * 1024) } }), 'INVALID_PAYLOAD'],
      [command({ entity_id: 'nobody', op: 'put', data: { a: 1 } }), 'NOT_FOUND'],
      [command({ entity_id: 'bad', op: 'create', data: {} }), 'CONFLICT'],
      [command({ entity_id: 'bad', op: 'put', base_version: 7, data: { a: 9 } }), 'CONFLICT'],
    ];
    for (const [body, code] of cases) {
      const reply = await cluster.request(subject, body);
      expect({ body: JSON.stringify(body).slice(0, 120), reply: 'error' in reply ? reply.error.code : 'data' }).toEqual({ body: JSON.stringify(body).slice(0, 120), reply: code });
      expect((reply as { error: { message: string } }).error.message).toEqual(expect.any(String));
    }
    // A command whose body names another entity than its subject.
    const mismatch = await cluster.request(cluster.subjects.command('main', 'other'), command({ entity_id: 'bad', op: 'put', data: { a: 2 } }));
    expect(mismatch).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
    expect(await cluster.eventCount()).toBe(before);
  });

  it('reads: events of a stream, state at a version and at a time, events after a position, the head', async () => {
    const id = 'readable';
    const v1 = await cluster.send(command({ entity_id: id, op: 'create', data: { status: 'draft', pressure: 40 } }));
    // The next commit must come later than this one (state at commit1's time is version 1).
    await clockPast('data' in v1 ? v1.data.commit_ts : Date.now());
    await cluster.send(command({ entity_id: id, op: 'put', data: { status: 'submitted' } }));
    await cluster.send(command({ entity_id: id, op: 'delete' }));
    const at1 = await cluster.request<RecordStateView>(cluster.subjects.storeRead('state'), { app: 'main', entity: 'inspection', entity_id: id, version: 1 });
    expect(at1).toMatchObject({ data: { version: 1, deleted: false, state: { status: 'draft', pressure: 40 } } });
    const commit1 = 'data' in v1 ? v1.data.commit_ts : '';
    const atTime = await cluster.request<RecordStateView>(cluster.subjects.storeRead('state'), { app: 'main', entity: 'inspection', entity_id: id, time: commit1 });
    expect(atTime).toMatchObject({ data: { version: 1 } });
    const latest = await cluster.request<RecordStateView>(cluster.subjects.storeRead('state'), { app: 'main', entity: 'inspection', entity_id: id });
    expect(latest).toMatchObject({ data: { version: 3, deleted: true, state: { status: 'submitted' } } });
    const missing = await cluster.request(cluster.subjects.storeRead('state'), { app: 'main', entity: 'inspection', entity_id: id, version: 9 });
    expect(missing).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const head = await cluster.request<StreamHeadView>(cluster.subjects.storeRead('head'), { app: 'main', entity: 'inspection', entity_id: id });
    expect(head).toMatchObject({ data: { version: 3, deleted: true } });

    const pos = 'data' in v1 ? v1.data.position : 0;
    const after = await cluster.request<{ events: TakesEvent[]; next_position: number }>(cluster.subjects.storeRead('all'), { after_position: pos - 1, limit: 2 });
    if (!('data' in after)) throw new Error('read failed');
    expect(after.data.events.map((e) => e.position)).toEqual([pos, pos + 1]);
    expect(after.data.next_position).toBe(pos + 1);
    expect(await cluster.request(cluster.subjects.storeRead('all'), { after_position: -1 })).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
  });

  it('serves /health, /ready and /metrics on its own HTTP port', async () => {
    const port = cluster.processes[0].httpPort;
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`http://127.0.0.1:${port}/ready`)).json()).toMatchObject({ status: 'ready', checks: { postgres: 'ok', nats: 'ok' } });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/takes_commands_total\{result="applied",service="event-store"\} \d+/);
    const leaders = await Promise.all(
      cluster.processes.map(async (p) => /takes_relay_leader\{service="event-store"\} 1/.test(await (await fetch(`http://127.0.0.1:${p.httpPort}/metrics`)).text())),
    );
    expect(leaders.filter(Boolean)).toHaveLength(1);
  });
});
