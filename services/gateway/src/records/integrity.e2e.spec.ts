import { randomUUID } from 'node:crypto';
import { startTakes, type TakesProcesses } from '@takes/testing';

/**
 * Issue 11, integrity, over HTTP against the services as processes: a record's key never
 * changes (PUT, PATCH, _sync); a write that changes nothing appends nothing and answers
 * the current version; with history off and stale_write overwrite, the answer says the
 * write overwrote, with the values it destroyed.
 */
const fields = [{ name: 'id', type: 'uuid' }, { name: 'x', type: 'string', nullable: true }, { name: 'y', type: 'string', nullable: true }];
const stamps = [{ name: 'created_at', type: 'timestamp', auto: 'create' }, { name: 'updated_at', type: 'timestamp', auto: 'update' }];

describe('record integrity over HTTP (all services as processes)', () => {
  let takes: TakesProcesses;
  let token: string;

  beforeAll(async () => {
    takes = await startTakes('integrity_e2e');
    token = await takes.login();
    for (const entity of [
      { name: 'site', table: 'sites', fields: [...fields, ...stamps] },
      { name: 'reading', table: 'readings', history: false, stale_write: 'overwrite', fields },
    ]) {
      expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: entity })).status).toBe(201);
    }
  });
  afterAll(() => takes?.close());

  async function create(entity: string, body: Record<string, unknown> = {}): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    const r = await takes.api('POST', `/api/main/${entity}`, { token, body: { id, x: 'x0', y: 'y0', ...body } });
    expect(r.status).toBe(201);
    return { id, version: r.body.meta.version };
  }
  const eventsOf = async (entity: string, id: string) => (await takes.api('GET', `/api/main/${entity}/${id}/events`, { token })).body.data as { type: string; version: number; overwritten?: unknown }[];
  const immutable = { error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'id', rule: 'immutable' })] } };

  it('a key never changes: PUT with another id, PATCH of /id, _sync put with another id are 422 immutable, nothing appended', async () => {
    const { id } = await create('site');
    const other = randomUUID();
    const before = await takes.recordEventCount();
    const put = await takes.api('PUT', `/api/main/site/${id}`, { token, body: { id: other, x: 'x1' } });
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject(immutable);
    const patch = await takes.api('PATCH', `/api/main/site/${id}`, { token, raw: JSON.stringify([{ op: 'replace', path: '/id', value: other }]), contentType: 'application/json-patch+json' });
    expect(patch.status).toBe(422);
    const synced = await takes.api('POST', '/api/main/_sync', { token, body: { edits: [{ command_id: randomUUID(), entity: 'site', id, op: 'put', base_version: 1, data: { id: other, x: 'x2' } }] } });
    expect(synced.body.data).toHaveLength(1);
    expect(synced.body.data[0]).toMatchObject({ outcome: 'rejected', ...immutable });
    expect(await takes.recordEventCount()).toBe(before);
    expect((await takes.api('GET', `/api/main/site/${id}`, { token })).body.data).toMatchObject({ id, x: 'x0' });
  });

  it('a write that changes nothing appends nothing and answers the current version, idempotently', async () => {
    const { id } = await create('site');
    const read = (await takes.api('GET', `/api/main/site/${id}`, { token })).body.data;
    const before = await takes.recordEventCount();
    const writes = [
      () => takes.api('PUT', `/api/main/site/${id}`, { token, body: { id } }),
      () => takes.api('PUT', `/api/main/site/${id}`, { token, body: { x: 'x0', y: 'y0' } }),
      // What a client read, sent back as it is (managed fields included): no change.
      () => takes.api('PUT', `/api/main/site/${id}`, { token, body: read }),
      () => takes.api('PATCH', `/api/main/site/${id}`, { token, raw: JSON.stringify([{ op: 'test', path: '/x', value: 'x0' }]), contentType: 'application/json-patch+json' }),
    ];
    for (const write of writes) {
      const r = await write();
      expect({ status: r.status, etag: r.headers.get('etag'), meta: r.body.meta }).toMatchObject({ status: 200, etag: '"1"', meta: { outcome: 'unchanged', version: 1, contested: [] } });
      expect(r.body.data).toEqual(read);
    }
    const key = randomUUID();
    const first = await takes.api('PUT', `/api/main/site/${id}`, { token, body: { x: 'x0' }, headers: { 'Idempotency-Key': key } });
    const again = await takes.api('PUT', `/api/main/site/${id}`, { token, body: { x: 'x0' }, headers: { 'Idempotency-Key': key } });
    expect(again.body).toEqual(first.body);
    expect(await takes.recordEventCount()).toBe(before);
    expect((await eventsOf('site', id)).map((e) => e.version)).toEqual([1]);
    // A change still stamps updated_at (from the store's clock) and keeps created_at.
    const changed = await takes.api('PUT', `/api/main/site/${id}`, { token, body: { x: 'x1' } });
    expect(changed.body.meta).toMatchObject({ outcome: 'applied', version: 2 });
    expect(changed.body.data.created_at).toBe(read.created_at);
    expect(Date.parse(changed.body.data.updated_at)).toBeGreaterThan(Date.parse(read.updated_at));
  });

  it('history off, stale_write overwrite: the answer says overwritten, with the values written over', async () => {
    const { id } = await create('reading');
    expect((await takes.api('PUT', `/api/main/reading/${id}`, { token, body: { x: 'x-online' } })).body.meta.version).toBe(2);
    const stale = await takes.api('PUT', `/api/main/reading/${id}`, { token, body: { x: 'x-offline' }, headers: { 'If-Match': '"1"' } });
    expect(stale.status).toBe(200);
    expect(stale.body.meta).toMatchObject({ outcome: 'overwritten', version: 3, overwritten: { '/x': 'x-online' } });
    expect(stale.body.data).toMatchObject({ x: 'x-offline' });
    expect((await eventsOf('reading', id)).map((e) => e.type)).toEqual(['created', 'updated', 'lost_update']);
    // Through _sync too.
    const synced = await takes.api('POST', '/api/main/_sync', { token, body: { edits: [{ command_id: randomUUID(), entity: 'reading', id, op: 'put', base_version: 2, data: { x: 'x-sync' } }] } });
    expect(synced.body.data).toEqual([expect.objectContaining({ outcome: 'overwritten', version: 4, overwritten: { '/x': 'x-offline' } })]);
    // A stale write that destroyed nothing (y was not changed since its base) is an ordinary update.
    const quiet = await takes.api('PUT', `/api/main/reading/${id}`, { token, body: { y: 'y-offline' }, headers: { 'If-Match': '"1"' } });
    expect(quiet.body.meta).toMatchObject({ outcome: 'applied', version: 5 });
    expect(quiet.body.meta.overwritten).toBeUndefined();
    expect((await eventsOf('reading', id)).map((e) => e.type)).toEqual(['created', 'updated', 'lost_update', 'lost_update', 'updated']);
  });
});
