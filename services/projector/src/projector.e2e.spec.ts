import { randomUUID } from 'node:crypto';
import { NatsWatermarks } from '@takes/bus';
import { eventually, startTakes, type TakesProcesses } from '@takes/testing';

/** Three entities, so the random writes cross tables; soft delete on one, hard on the others. */
const ENTITIES = [
  { name: 'site', table: 'sites', soft_delete: true, fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string' }, { name: 'capacity', type: 'int', nullable: true }] },
  { name: 'meter', table: 'meters', fields: [{ name: 'id', type: 'uuid' }, { name: 'serial', type: 'string' }, { name: 'reading', type: 'decimal', precision: 3, nullable: true }, { name: 'tags', type: 'json', nullable: true }] },
  { name: 'visit', table: 'visits', fields: [{ name: 'id', type: 'uuid' }, { name: 'note', type: 'text', nullable: true }, { name: 'done', type: 'boolean', default: false }, { name: 'at', type: 'timestamp', nullable: true }] },
];

function randomValues(entity: string, i: number): Record<string, unknown> {
  switch (entity) {
    case 'site':
      return { label: `site ${i}`, capacity: i % 7 === 0 ? null : i };
    case 'meter':
      return { serial: `M-${i}`, reading: Number((i * 1.25).toFixed(3)), tags: i % 3 === 0 ? null : { i, list: [i, i + 1] } };
    default:
      return { note: `visit ${i}`, done: i % 2 === 0, at: new Date(Date.UTC(2026, 10, 1 + (i % 28))).toISOString() };
  }
}

interface Model {
  entity: string;
  id: string;
  deleted: boolean;
}

/**
 * N random writes (creates, puts, patches, deletes, restores) over HTTP, `workers` at a
 * time; each worker edits only the records it created, so its model stays exact.
 */
/** Random writes by `workers` clients; resolves to the number of events they appended (a write that changes nothing appends none). */
async function randomWrites(takes: TakesProcesses, token: string, records: Model[], count: number, workers: number): Promise<number> {
  let next = 0;
  let appended = 0;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const mine: Model[] = records.filter((_r, k) => k % workers === w);
    for (let i = next++; i < count; i = next++) {
      const roll = (i * 7919) % 100;
      const live = mine.filter((r) => !r.deleted);
      if (roll < 25 || live.length < 3) {
        const entity = ENTITIES[i % 3].name;
        const id = randomUUID();
        const r = await takes.api('POST', `/api/main/${entity}`, { token, body: { id, ...randomValues(entity, i) } });
        if (r.status !== 201) throw new Error(`create ${r.status} ${JSON.stringify(r.body)}`);
        appended += 1;
        const model = { entity, id, deleted: false };
        records.push(model);
        mine.push(model);
        continue;
      }
      const target = roll < 90 ? live[i % live.length] : mine[i % mine.length];
      let r;
      if (target.deleted) {
        target.deleted = false;
        r = await takes.api('POST', `/api/main/${target.entity}/${target.id}/restore`, { token });
      } else if (roll < 60) {
        r = await takes.api('PUT', `/api/main/${target.entity}/${target.id}`, { token, body: randomValues(target.entity, i) });
      } else if (roll < 85) {
        const field = ENTITIES.find((e) => e.name === target.entity)!.fields[1].name;
        r = await takes.api('PATCH', `/api/main/${target.entity}/${target.id}`, { token, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: `/${field}`, value: `patched ${i}` }] });
      } else {
        target.deleted = true;
        r = await takes.api('DELETE', `/api/main/${target.entity}/${target.id}`, { token });
      }
      if (r.status !== 200) throw new Error(`${i}: ${r.status} ${JSON.stringify(r.body)}`);
      if (r.body.meta?.outcome !== 'unchanged') appended += 1;
    }
  }));
  return appended;
}

/** Every read-table row equals its stream head (state, version, deleted); none missing or extra; none applied twice. */
async function expectReadTablesMatchStore(takes: TakesProcesses): Promise<number> {
  const [{ top }] = await takes.sql<{ top: string }>('SELECT max(position) AS top FROM event_store.events');
  await eventually(async () => {
    const [{ position }] = await takes.sql<{ position: string }>("SELECT position FROM projector.watermarks WHERE read_model = 'records'");
    expect(Number(position)).toBeGreaterThanOrEqual(Number(top));
  }, 30_000, 100);
  let rows = 0;
  for (const entity of ENTITIES) {
    const heads = await takes.sql<{ id: string; state: unknown; version: number; deleted: boolean }>(
      "SELECT entity_id AS id, state, version, deleted FROM event_store.streams WHERE app = 'main' AND entity = $1 ORDER BY entity_id", [entity.name]);
    const read = await takes.sql<{ id: string; state: unknown; version: number; deleted: boolean; applied: number }>(
      `SELECT id::text AS id, _state AS state, _version AS version, (_deleted OR ${entity.soft_delete ? 'deleted_at IS NOT NULL' : 'false'}) AS deleted, _applied AS applied FROM app_main.${entity.table} ORDER BY id::text`);
    expect(read.map(({ applied: _a, ...r }) => r)).toEqual(heads);
    for (const row of read) expect({ id: row.id, applied: row.applied }).toEqual({ id: row.id, applied: row.version });
    rows += read.length;
  }
  return rows;
}

describe('projector and read tables (event store, projector and gateway as processes)', () => {
  let takes: TakesProcesses;
  let token: string;
  const records: Model[] = [];

  beforeAll(async () => {
    takes = await startTakes('projector_e2e', { TAKES_RATE_LIMIT: '100000', TAKES_READ_WAIT: '1s' });
    token = await takes.login();
    for (const entity of ENTITIES) expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: entity })).status).toBe(201);
  });
  afterAll(() => takes.close());

  it('after 5,000 random writes across 3 entities every row equals its stream head, none missing or extra', async () => {
    await randomWrites(takes, token, records, 5_000, 16);
    const rows = await expectReadTablesMatchStore(takes);
    expect(rows).toBe(records.length);
  });

  it('projector killed (SIGKILL) mid-stream and restarted: the read tables end identical and no event is applied twice', async () => {
    const [{ start }] = await takes.sql<{ start: string }>('SELECT coalesce(max(position), 0) AS start FROM event_store.events');
    const writes = randomWrites(takes, token, records, 1_500, 8);
    // Killed while it is applying this test's writes: once its watermark has passed the first of them.
    await eventually(async () => {
      const [row] = await takes.sql<{ position: string }>("SELECT position FROM projector.watermarks WHERE read_model = 'records'");
      expect(Number(row?.position ?? 0)).toBeGreaterThan(Number(start));
    }, 60_000, 5);
    await takes.projector.kill();
    await writes;
    await takes.startProjector();
    await expectReadTablesMatchStore(takes);
  });

  it('read-your-writes: a GET right after a POST sees the record; with the projector stopped, 503 with the lag; started again, 200', async () => {
    for (let i = 0; i < 20; i += 1) {
      const id = randomUUID();
      await takes.api('POST', '/api/main/site', { token, body: { id, label: `ryw ${i}` } });
      const got = await takes.api('GET', `/api/main/site/${id}`, { token });
      expect(got.status).toBe(200);
      expect(got.body.data.label).toBe(`ryw ${i}`);
    }
    await takes.projector.stop();
    const id = randomUUID();
    const created = await takes.api('POST', '/api/main/site', { token, body: { id, label: 'while stopped' } });
    const started = Date.now();
    const stale = await takes.api('GET', `/api/main/site/${id}`, { token });
    expect(stale.status).toBe(503);
    expect(stale.body.error).toMatchObject({ code: 'UNAVAILABLE', details: { wanted_position: Number(created.headers.get('x-takes-position')) } });
    expect(stale.body.error.details.lag).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2_500);
    // Another client's write is awaited only when asked for.
    const other = await takes.login('_platform', 'platform@localhost');
    expect((await takes.api('GET', '/api/main/site?per_page=1', { token: other })).status).toBe(200);
    expect((await takes.api('GET', `/api/main/site?min_position=${created.headers.get('x-takes-position')}`, { token: other })).status).toBe(503);
    await takes.startProjector();
    const fresh = await takes.api('GET', `/api/main/site/${id}`, { token });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.label).toBe('while stopped');
  });

  it('_changes followed while writers write never skips an event', async () => {
    const [{ start }] = await takes.sql<{ start: string }>("SELECT coalesce(max(position), 0) AS start FROM event_store.events");
    const positions: number[] = [];
    let cursor = Buffer.from(`p:${start}`).toString('base64url');
    let writing = true;
    const writers = randomWrites(takes, token, records, 400, 6).finally(() => {
      writing = false;
    });
    for (;;) {
      // Whether every write had been answered before this page was asked for: only then
      // does an empty page mean the end (a page asked for while the last writes were
      // still committing may be empty, and their events come on the next one).
      const writesDone = !writing;
      const page = await takes.api('GET', `/api/main/_changes?since=${cursor}&limit=50`, { token });
      expect(page.status).toBe(200);
      positions.push(...page.body.data.map((e: { position: number }) => e.position));
      cursor = page.body.meta.next;
      if (writesDone && !page.body.meta.has_more && page.body.data.length === 0) break;
      // A pause between polls of an empty page (the loop itself waits for its condition above).
      if (page.body.data.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const appended = await writers;
    const all = await takes.sql<{ position: string }>("SELECT position FROM event_store.events WHERE app = 'main' AND position > $1 ORDER BY position", [start]);
    expect(positions).toEqual(all.map((r) => Number(r.position)));
    // Every event the writers appended (400 writes; one that changed nothing appends none).
    expect(positions.length).toBe(appended);
    expect(appended).toBeGreaterThan(300);
  });

  it('watermark.records is answered by the projector from its table, watermark.review_queue by the conflicts service (the place its leader reached, saved soon after)', async () => {
    const watermarks = new NatsWatermarks(takes.stream.nc, { subjectPrefix: takes.stream.prefix, timeoutMs: 5_000 });
    const created = await takes.api('POST', '/api/main/site', { token, body: { id: randomUUID(), label: 'watermarked' } });
    expect(created.status).toBe(201);
    const written = Number(created.headers.get('x-takes-position'));
    await eventually(async () => expect(await watermarks.position('records')).toBeGreaterThanOrEqual(written), 30_000, 50);
    await eventually(async () => expect(await watermarks.position('review_queue')).toBeGreaterThanOrEqual(written), 30_000, 50);
    // Nothing is written meanwhile: the records answer is what the projector's table holds.
    const [{ records }] = await takes.sql<{ records: string }>("SELECT position AS records FROM projector.watermarks WHERE read_model = 'records'");
    expect(await watermarks.position('records')).toBe(Number(records));
    // The review queue's table has its leader's place within TAKES_CONFLICTS_WATERMARK_SAVE (the site changed nothing in the queue).
    const answered = await watermarks.position('review_queue');
    await eventually(async () => {
      const [{ queue }] = await takes.sql<{ queue: string }>("SELECT position AS queue FROM conflicts.watermarks WHERE read_model = 'review_queue'");
      expect(Number(queue)).toBe(answered);
    });
  });
});
