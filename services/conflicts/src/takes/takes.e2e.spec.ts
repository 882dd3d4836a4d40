import { randomUUID } from 'node:crypto';
import type { FieldHistory } from '@takes/merge';
import { NatsWatermarks } from '@takes/bus';
import { eventually, startService, startTakes, type TakesProcesses } from '@takes/testing';

/**
 * The conflicts service from the outside (all services as processes, over the gateway's
 * takes routes): /resolve on every kind of field, the review queue and its filters, the
 * seed story on an entity with auto timestamps, a delete meeting an offline edit, and
 * where the queue saves its place in the event stream.
 */
const visit = {
  name: 'visit',
  table: 'visits',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'x', type: 'string', nullable: true },
    { name: 'y', type: 'string', nullable: true },
    { name: 'extra', type: 'json', nullable: true },
    { name: 'created_at', type: 'timestamp', auto: 'create' },
    { name: 'updated_at', type: 'timestamp', auto: 'update' },
  ],
};
type QueueItem = { entity: string; id: string; fields: string[]; users: string[]; devices: string[] };

describe('the conflicts service: picks and the review queue (all services as processes)', () => {
  let takes: TakesProcesses;
  let token: string;

  beforeAll(async () => {
    // The queue's place over events that change nothing in it is saved only on stop, unless a test says otherwise.
    takes = await startTakes('conflicts_e2e', { TAKES_RATE_LIMIT: '100000' }, { conflictsEnv: { TAKES_CONFLICTS_WATERMARK_SAVE: '1h' } });
    token = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: visit })).status).toBe(201);
    expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: { ...visit, name: 'other', table: 'others' } })).status).toBe(201);
  });
  afterAll(() => takes?.close());

  const queue = async (query = ''): Promise<QueueItem[]> => {
    const r = await takes.api('GET', `/api/main/_conflicts${query}`, { token });
    expect(r.status).toBe(200);
    return r.body.data;
  };
  const history = async (id: string, entity = 'visit'): Promise<FieldHistory[]> => (await takes.api('GET', `/api/main/${entity}/${id}/history`, { token })).body.data;
  const resolve = (id: string, body: unknown, entity = 'visit') => takes.api('POST', `/api/main/${entity}/${id}/resolve`, { token, body });

  /**
   * The seed story on an entity with auto timestamps: created at version 1; phone-B sets y
   * online (version 2); tablet-A, offline since version 1, sets x and y and syncs later, with
   * a later submit: y is contested, x merges in, updated_at is the server's.
   */
  async function contestedOnY(entity = 'visit'): Promise<string> {
    const id = randomUUID();
    expect((await takes.api('POST', `/api/main/${entity}`, { token, body: { id, x: 'x0', y: 'y0', extra: { tags: ['a'] } } })).status).toBe(201);
    const b = await takes.api('PUT', `/api/main/${entity}/${id}`, { token, body: { y: 'y-B' }, headers: { 'If-Match': '"1"', 'X-Takes-Device': 'phone-B' } });
    expect(b.body.meta).toMatchObject({ outcome: 'applied', version: 2 });
    const a = await takes.api('PUT', `/api/main/${entity}/${id}`, {
      token,
      body: { x: 'x-A', y: 'y-A' },
      headers: { 'If-Match': '"1"', 'X-Takes-Device': 'tablet-A' },
    });
    expect(a.body.meta).toMatchObject({ outcome: 'merged', version: 3, contested: ['/y'] });
    return id;
  }

  it('the seed story with auto timestamps: only /y is contested, never updated_at; after the pick the queue no longer lists the record', async () => {
    const id = await contestedOnY();
    const record = (await takes.api('GET', `/api/main/visit/${id}`, { token })).body.data;
    expect(record).toMatchObject({ x: 'x-A', y: 'y-A' });
    expect(Date.parse(record.updated_at)).toBeGreaterThanOrEqual(Date.parse(record.created_at));

    expect((await queue('?entity=visit')).find((r) => r.id === id)).toMatchObject({ fields: ['/y'] });
    const fields = (await history(id)).map((h) => h.field);
    expect(fields).toEqual(expect.arrayContaining(['/x', '/y', '/extra']));
    expect(fields).not.toContain('/updated_at');
    expect(fields).not.toContain('/created_at');

    const y = (await history(id)).find((h) => h.field === '/y')!;
    const bTake = y.takes.find((t) => t.value === 'y-B')!;
    const picked = await resolve(id, { field: 'y', take: bTake.event_id });
    expect(picked.status).toBe(200);
    expect(picked.body.data).toMatchObject({ x: 'x-A', y: 'y-B' });
    expect((await queue('?entity=visit')).find((r) => r.id === id)).toBeUndefined();
  });

  it('the queue lists every device and user of a contest, and filters by the device id a client sends (or its hash)', async () => {
    const id = await contestedOnY();
    const item = (await queue('?entity=visit')).find((r) => r.id === id)!;
    expect(item.devices).toHaveLength(2);
    expect(item.devices.every((d) => /^d:[0-9a-f]{16}$/.test(d))).toBe(true);
    for (const device of ['phone-B', 'tablet-A', item.devices[0], item.devices[1]]) {
      expect((await queue(`?device=${encodeURIComponent(device)}`)).map((r) => r.id)).toContain(id);
    }
    expect(await queue('?device=nobody')).toEqual([]);
    const [user] = item.users;
    expect((await queue(`?user=${encodeURIComponent(user)}`)).map((r) => r.id)).toContain(id);
    expect(await queue('?user=nobody')).toEqual([]);
    expect(await queue('?entity=other')).toEqual([]);
    expect((await queue('?min_age=0')).map((r) => r.id)).toContain(id);
    expect(await queue('?min_age=86400')).toEqual([]);
    // Pages: one record a page, every record once.
    const all = await queue('?per_page=100');
    const paged: string[] = [];
    for (let page = 1; page <= all.length; page += 1) {
      const r = await takes.api('GET', `/api/main/_conflicts?per_page=1&page=${page}`, { token });
      expect(r.body.meta).toMatchObject({ page, per_page: 1, total: all.length, total_pages: all.length });
      paged.push(...r.body.data.map((x: QueueItem) => x.id));
    }
    expect(paged).toEqual(all.map((r) => r.id));
  });

  it('/resolve refuses the key and the managed fields (422), an unknown take and a take of another record (404); a nested pointer can be picked', async () => {
    const id = await contestedOnY();
    const other = await contestedOnY();
    const before = await takes.recordEventCount();

    const key = await resolve(id, { field: 'id', value: other });
    expect(key.status).toBe(422);
    expect(key.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'id', rule: 'immutable' })] });
    const keyTake = await resolve(id, { field: '/id', take: (await history(other)).find((h) => h.field === '/id')!.takes[0].event_id });
    expect(keyTake.status).toBe(422);
    for (const field of ['updated_at', 'created_at', '/updated_at']) {
      const managed = await resolve(id, { field, value: '2030-01-01T00:00:00.000Z' });
      expect(managed.status).toBe(422);
      expect(managed.body.error.details).toEqual([expect.objectContaining({ field: field.replace('/', ''), rule: 'managed' })]);
    }
    const unknown = await resolve(id, { field: 'y', take: randomUUID() });
    expect(unknown.status).toBe(404);
    const foreign = (await history(other)).find((h) => h.field === '/y')!.takes[1].event_id;
    const ofAnother = await resolve(id, { field: 'y', take: foreign });
    expect(ofAnother.status).toBe(404);
    expect(await takes.recordEventCount()).toBe(before);
    expect((await takes.api('GET', `/api/main/visit/${id}`, { token })).body.data.id).toBe(id);

    const nested = await resolve(id, { field: '/extra/tags', value: ['picked'] });
    expect(nested.status).toBe(200);
    expect(nested.body.data.extra).toEqual({ tags: ['picked'] });
    const tags = (await history(id)).find((h) => h.field === '/extra')!;
    expect(tags.takes.find((t) => t.current)).toMatchObject({ picked: true, value: { tags: ['picked'] } });
  });

  it('a delete meeting an offline edit is the contest /_record: in the queue and /history, settled by picking {deleted}', async () => {
    const id = randomUUID();
    await takes.api('POST', '/api/main/visit', { token, body: { id, x: 'x0', y: 'y0' } });
    const createdAt: string = (await takes.api('GET', `/api/main/visit/${id}/events`, { token })).body.data[0].commit_ts;
    // phone-B deletes; tablet-A, offline since version 1, had edited y before that (saved as it took its copy): shelved.
    expect((await takes.api('DELETE', `/api/main/visit/${id}`, { token, headers: { 'X-Takes-Device': 'phone-B' } })).status).toBe(200);
    const a = await takes.api('PUT', `/api/main/visit/${id}`, {
      token,
      body: { y: 'y-A' },
      headers: { 'If-Match': '"1"', 'X-Takes-Device': 'tablet-A', 'X-Takes-Submit-Ts': createdAt },
    });
    expect(a.body.meta).toMatchObject({ outcome: 'shelved', contested: ['/_record'] });
    const item = (await queue('?entity=visit')).find((r) => r.id === id)!;
    expect(item).toMatchObject({ fields: ['/_record'] });
    expect(item.devices).toHaveLength(2);

    const record = (await history(id)).find((h) => h.field === '/_record')!;
    expect(record).toMatchObject({ value: { deleted: true }, contested: true });
    const shelved = record.takes.find((t) => t.type === 'shelved')!;
    expect(shelved).toMatchObject({ value: { deleted: false }, applied: false });

    const empty = await resolve(id, { field: '', value: { deleted: false } });
    expect(empty.status).toBe(422);
    expect(empty.body.error.details[0].message).toContain('_record');
    expect((await resolve(id, { field: '_record', value: 'alive' })).status).toBe(422);

    const picked = await resolve(id, { field: '_record', take: shelved.event_id });
    expect(picked.status).toBe(200);
    expect(picked.body.data).toMatchObject({ id, x: 'x0', y: 'y0' });
    expect((await takes.api('GET', `/api/main/visit/${id}`, { token })).status).toBe(200);
    expect((await queue('?entity=visit')).find((r) => r.id === id)).toBeUndefined();
    const after = (await history(id)).find((h) => h.field === '/_record')!;
    expect(after.value).toEqual({ deleted: false });
    expect(after.takes.find((t) => t.current)).toMatchObject({ type: 'resolved', picked: true });

    // The shelved y is still a take a reviewer can pick, now that the record is back.
    const y = (await history(id)).find((h) => h.field === '/y')!;
    const yA = y.takes.find((t) => t.value === 'y-A')!;
    expect((await resolve(id, { field: 'y', take: yA.event_id })).body.data).toMatchObject({ y: 'y-A' });
    // And a pick of {deleted: true} deletes it again.
    expect((await resolve(id, { field: '_record', value: { deleted: true } })).status).toBe(200);
    expect((await takes.api('GET', `/api/main/visit/${id}`, { token })).status).toBe(404);
  });

  it('saves its place at once with a contest, and over events that change nothing in the queue only on stop; reads still see their writes; a kill reads those events again, to no change', async () => {
    const watermark = async () => Number((await takes.sql<{ position: string }>("SELECT position FROM conflicts.watermarks WHERE read_model = 'review_queue'"))[0].position);
    const lastPositionOf = async (id: string) => Number((await takes.sql<{ p: string }>('SELECT max(position) AS p FROM event_store.events WHERE entity_id = $1', [id]))[0].p);
    const create = async () => {
      const r = await takes.api('POST', '/api/main/other', { token, body: { x: 'plain' } });
      expect(r.status).toBe(201);
      return Number(r.headers.get('x-takes-position'));
    };
    // A read of the queue waits for the queue to reach that position (the gateway asks the conflicts service).
    const queueAt = async (position: number) => {
      const r = await takes.api('GET', '/api/main/_conflicts?entity=visit', { token, headers: { 'X-Takes-Min-Position': String(position) } });
      expect(r.status).toBe(200);
      return r.body.data as QueueItem[];
    };
    const id = await contestedOnY();
    const contestAt = await lastPositionOf(id);
    expect((await queueAt(contestAt)).filter((i) => i.id === id)).toHaveLength(1);
    // Saved with the contest's rows, in the same transaction.
    expect(await watermark()).toBeGreaterThanOrEqual(contestAt);
    const saved = await watermark();

    // Events that change nothing in the queue: applied, answered, not saved.
    let last = 0;
    for (let i = 0; i < 5; i += 1) last = await create();
    await queueAt(last);
    expect(await watermark()).toBe(saved);

    // Killed: the next leader goes on from the saved place, reads those five again (asked
    // directly: the gateway remembers the watermark it saw), and they change nothing.
    await takes.conflicts.kill();
    await takes.startConflicts();
    const watermarks = new NatsWatermarks(takes.stream.nc, { subjectPrefix: takes.stream.prefix, timeoutMs: 5_000 });
    await eventually(async () => expect(await watermarks.position('review_queue')).toBe(last));
    expect(await watermark()).toBe(saved);
    expect((await queueAt(last)).filter((i) => i.id === id)).toEqual([expect.objectContaining({ fields: ['/y'] })]);
    const second = await contestedOnY();
    expect((await queueAt(await lastPositionOf(second))).filter((i) => i.id === second)).toHaveLength(1);

    // Stopped: the place moved over events that changed nothing is saved on the way out.
    for (let i = 0; i < 3; i += 1) last = await create();
    await queueAt(last);
    expect(await watermark()).toBeLessThan(last);
    await takes.conflicts.stop();
    expect(await watermark()).toBe(last);

    // With the default setting, such a place is saved within a quarter of a second, the service running.
    const { TAKES_CONFLICTS_WATERMARK_SAVE: _hour, ...defaults } = takes.conflictsEnv;
    const running = await startService('conflicts', { env: defaults, httpPortVar: 'TAKES_CONFLICTS_HTTP_PORT' });
    try {
      for (let i = 0; i < 2; i += 1) last = await create();
      await eventually(async () => expect(await watermark()).toBe(last), 10_000);
    } finally {
      await running.stop();
    }
    await takes.startConflicts();
    expect((await queueAt(last)).filter((i) => i.id === id || i.id === second)).toHaveLength(2);
  });
});
