import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { eventually, startTakes, type TakesProcesses } from '@takes/testing';

/** The entity rebuilt, and one left alone (its table must stay the same table). */
const READING = {
  name: 'reading',
  table: 'readings',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'label', type: 'string' },
    { name: 'value', type: 'int', nullable: true },
    { name: 'tags', type: 'json', nullable: true },
  ],
};
const NOTE = { name: 'note', table: 'notes', soft_delete: true, fields: [{ name: 'id', type: 'uuid' }, { name: 'text', type: 'text' }] };

const ROOT = path.resolve(__dirname, '../../..');
/** Writes the writers must have made before the rebuild starts, and again after it finished. */
const WRITES_AROUND = 30;

interface Model {
  id: string;
  deleted: boolean;
}

/** Creates `count` readings through `_sync` (500 edits a batch), then puts every one once: two events each. */
async function loadReadings(takes: TakesProcesses, token: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const op of ['create', 'put'] as const) {
    for (let i = 0; i < ids.length; i += 500) {
      const edits = ids.slice(i, i + 500).map((id, k) => ({
        command_id: randomUUID(),
        entity: 'reading',
        id,
        op,
        data: op === 'create' ? { id, label: `reading ${i + k}`, value: i + k, tags: { n: i + k } } : { label: `reading ${i + k} checked`, value: -(i + k) },
      }));
      const r = await takes.api('POST', '/api/main/_sync', { token, body: { edits } });
      expect(r.status).toBe(200);
      expect(r.body.data.filter((x: { outcome: string }) => x.outcome !== 'applied')).toEqual([]);
    }
  }
  return ids;
}

/**
 * Writers that keep writing (creates, puts, patches, deletes, restores of readings,
 * and creates of notes) until `stop()`; each worker edits only the records it made.
 */
function startWriters(takes: TakesProcesses, token: string, workers: number) {
  let running = true;
  let writes = 0;
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const mine: Model[] = [];
      for (let i = 0; running; i += 1) {
        const roll = (i * 7919 + w * 31) % 100;
        const live = mine.filter((r) => !r.deleted);
        let r;
        if (roll < 10) {
          r = await takes.api('POST', '/api/main/note', { token, body: { id: randomUUID(), text: `note ${w}.${i}` } });
        } else if (roll < 35 || live.length < 3) {
          const model = { id: randomUUID(), deleted: false };
          r = await takes.api('POST', '/api/main/reading', { token, body: { id: model.id, label: `w${w} ${i}`, value: i, tags: i % 2 ? null : [w, i] } });
          mine.push(model);
        } else {
          const target = roll < 90 ? live[i % live.length] : mine[i % mine.length];
          if (target.deleted) {
            target.deleted = false;
            r = await takes.api('POST', `/api/main/reading/${target.id}/restore`, { token });
          } else if (roll < 60) {
            r = await takes.api('PUT', `/api/main/reading/${target.id}`, { token, body: { label: `w${w} put ${i}`, value: i * 2 } });
          } else if (roll < 85) {
            r = await takes.api('PATCH', `/api/main/reading/${target.id}`, { token, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/label', value: `w${w} patched ${i}` }] });
          } else {
            target.deleted = true;
            r = await takes.api('DELETE', `/api/main/reading/${target.id}`, { token });
          }
        }
        if (r.status !== 200 && r.status !== 201) throw new Error(`writer ${w} op ${i}: ${r.status} ${JSON.stringify(r.body)}`);
        writes += 1;
      }
    }),
  );
  return {
    get writes() {
      return writes;
    },
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** A reader that lists a page and gets one record, over and over, keeping every status it got. */
function startReader(takes: TakesProcesses, token: string, id: string) {
  let running = true;
  const statuses: { path: string; status: number; body?: unknown }[] = [];
  const done = (async () => {
    while (running) {
      for (const p of ['/api/main/reading?per_page=5', `/api/main/reading/${id}`]) {
        const r = await takes.api('GET', p, { token });
        statuses.push(r.status === 200 ? { path: p, status: r.status } : { path: p, status: r.status, body: r.body });
      }
    }
  })();
  return {
    statuses,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** The store's stream heads of an entity and its read table, row for row; `_applied = _version` on every row. */
async function expectTableMatchesStore(takes: TakesProcesses, entity: { name: string; table: string; soft_delete?: boolean }): Promise<number> {
  const [{ top }] = await takes.sql<{ top: string }>('SELECT max(position) AS top FROM event_store.events');
  await eventually(async () => {
    const [{ position }] = await takes.sql<{ position: string }>("SELECT position FROM projector.watermarks WHERE read_model = 'records'");
    expect(Number(position)).toBeGreaterThanOrEqual(Number(top));
  }, 30_000, 100);
  const heads = await takes.sql<{ id: string; state: unknown; version: number; deleted: boolean }>(
    "SELECT entity_id AS id, state, version, deleted FROM event_store.streams WHERE app = 'main' AND entity = $1 ORDER BY entity_id",
    [entity.name],
  );
  const read = await takes.sql<{ id: string; state: unknown; version: number; deleted: boolean; applied: number }>(
    `SELECT id::text AS id, _state AS state, _version AS version, (_deleted OR ${entity.soft_delete ? 'deleted_at IS NOT NULL' : 'false'}) AS deleted, _applied AS applied
     FROM app_main.${entity.table} ORDER BY id::text`,
  );
  expect(read.map(({ applied: _a, ...row }) => row)).toEqual(heads);
  expect(read.filter((row) => row.applied !== row.version)).toEqual([]);
  return read.length;
}

async function tableOid(takes: TakesProcesses, table: string): Promise<string> {
  const [{ oid }] = await takes.sql<{ oid: string }>('SELECT to_regclass($1)::oid::text AS oid', [`app_main.${table}`]);
  return oid;
}

async function indexesOf(takes: TakesProcesses, table: string): Promise<string[]> {
  const rows = await takes.sql<{ indexname: string; indexdef: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'app_main' AND tablename = $1 ORDER BY indexname", [table]);
  return rows.map((r) => `${r.indexname}: ${r.indexdef}`);
}

async function sideTables(takes: TakesProcesses): Promise<string[]> {
  const rows = await takes.sql<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'app_main' AND (tablename LIKE '%\\_\\_rebuild' OR tablename LIKE '%\\_\\_retired')");
  return rows.map((r) => r.tablename);
}

/** Runs the CLI as an operator would, with the suite's NATS settings. */
function runCli(takes: TakesProcesses, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/tools/takes-cli.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TAKES_NATS_URL: takes.stream.url, TAKES_SUBJECT_PREFIX: takes.stream.prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('rebuild of read tables (event store, projector and gateway as processes)', () => {
  let takes: TakesProcesses;
  let token: string;
  let reader: string;
  let stable: string;

  beforeAll(async () => {
    takes = await startTakes('rebuild_e2e', { TAKES_RATE_LIMIT: '100000', TAKES_READ_WAIT: '1s' });
    token = await takes.login();
    reader = await takes.login('_platform', 'platform@localhost');
    for (const entity of [READING, NOTE]) expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: entity })).status).toBe(201);
    const ids = await loadReadings(takes, token, 4_000);
    stable = ids[0];
  });
  afterAll(() => takes?.close());

  it('before any rebuild the status is 404 NOT_FOUND; an unknown entity is 404 UNKNOWN_ENTITY; a bad body 422', async () => {
    const none = await takes.api('GET', '/api/main/_admin/rebuild', { token });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('NOT_FOUND');
    const unknown = await takes.api('POST', '/api/main/_admin/rebuild', { token, body: { entity: 'nothing' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_ENTITY');
    expect((await takes.api('POST', '/api/main/_admin/rebuild', { token, body: { entity: 'reading', extra: 1 } })).status).toBe(422);
  });

  it('rebuild while writes continue: no event missing afterwards; reads served throughout', async () => {
    const readingsBefore = await tableOid(takes, 'readings');
    const notesBefore = await tableOid(takes, 'notes');
    const indexesBefore = await indexesOf(takes, 'readings');
    const writers = startWriters(takes, token, 6);
    const reads = startReader(takes, reader, stable);
    // The rebuild starts while writers and the reader are under way.
    await eventually(() => {
      expect(writers.writes).toBeGreaterThanOrEqual(WRITES_AROUND);
      expect(reads.statuses.length).toBeGreaterThanOrEqual(4);
    }, 30_000, 20);

    const writesAtStart = writers.writes;
    const started = await takes.api('POST', '/api/main/_admin/rebuild', { token, body: { entity: 'reading' } });
    expect(started.status).toBe(202);
    expect(started.body.data).toMatchObject({ app: 'main', entities: ['reading'], state: 'running' });
    const again = await takes.api('POST', '/api/main/_admin/rebuild', { token, body: { entity: 'reading' } });
    expect(again.status).toBe(202);
    expect(again.body.data).toMatchObject({ id: started.body.data.id, already_running: true });

    const seen: Record<string, unknown>[] = [];
    const status = await eventually(async () => {
      const r = await takes.api('GET', '/api/main/_admin/rebuild', { token });
      expect(r.status).toBe(200);
      seen.push(r.body.data);
      expect(r.body.data.state).not.toBe('running');
      return r.body.data;
    }, 120_000, 100);
    const writesDuring = writers.writes - writesAtStart;
    // Writes go on after the switch to the new table (they must land in it too).
    const writesAtDone = writers.writes;
    await eventually(() => expect(writers.writes - writesAtDone).toBeGreaterThanOrEqual(WRITES_AROUND), 30_000, 20);
    await writers.stop();
    await reads.stop();

    expect(status).toMatchObject({ state: 'done', phase: 'finished', entities: ['reading'], eta_seconds: 0 });
    expect(status.error).toBeUndefined();
    expect(status.events).toBeGreaterThanOrEqual(8_000);
    expect(status.events_per_second).toBeGreaterThan(0);
    expect(status.position).toBeGreaterThan(0);
    expect(status.last_position).toBeGreaterThanOrEqual(status.position);
    for (const s of seen) expect(Object.keys(s)).toEqual(expect.arrayContaining(['state', 'entities', 'position', 'last_position', 'events_per_second', 'eta_seconds', 'started_at', 'finished_at']));
    expect(writesDuring).toBeGreaterThan(0);

    // Every event is in the new table, none twice; the other entity's table was left alone.
    expect(await expectTableMatchesStore(takes, READING)).toBeGreaterThan(4_000);
    await expectTableMatchesStore(takes, NOTE);
    expect(await tableOid(takes, 'readings')).not.toBe(readingsBefore);
    expect(await tableOid(takes, 'notes')).toBe(notesBefore);
    expect(await indexesOf(takes, 'readings')).toEqual(indexesBefore);
    expect(await sideTables(takes)).toEqual([]);

    // Reads were served throughout: never anything but 200.
    expect(reads.statuses.length).toBeGreaterThan(10);
    expect(reads.statuses.filter((s) => s.status !== 200)).toEqual([]);
  });

  it('the CLI rebuilds, prints its progress and exits 0; the tables still equal the store', async () => {
    const before = await tableOid(takes, 'readings');
    const run = await runCli(takes, ['rebuild', 'main', 'reading']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/events\/s, position [\d,]+\/[\d,]+.*ETA /);
    expect(run.stdout).toMatch(/done in/);
    expect(await tableOid(takes, 'readings')).not.toBe(before);
    await expectTableMatchesStore(takes, READING);
    const status = await takes.api('GET', '/api/main/_admin/rebuild', { token });
    expect(status.body.data).toMatchObject({ state: 'done', entities: ['reading'] });
  });

  it('the CLI exits 1 on a failure and 2 on a bad command line', async () => {
    const unknown = await runCli(takes, ['rebuild', 'main', 'nothing']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/UNKNOWN_ENTITY/);
    expect((await runCli(takes, ['rebuild'])).code).toBe(2);
  });

  it('with the projector unreachable the route answers 503 UNAVAILABLE', async () => {
    await takes.projector.stop();
    try {
      const r = await takes.api('GET', '/api/main/_admin/rebuild', { token });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('UNAVAILABLE');
      expect((await takes.api('POST', '/api/main/_admin/rebuild', { token, body: {} })).status).toBe(503);
    } finally {
      await takes.startProjector();
    }
    await eventually(async () => expect((await takes.api('GET', '/api/main/_admin/rebuild', { token })).status).toBe(404), 10_000, 100);
  });
});
