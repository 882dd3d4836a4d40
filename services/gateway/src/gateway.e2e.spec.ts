import { SignJWT, UnsecuredJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { TakesEvent } from '@takes/contracts';
import { eventually, startTakes, type TakesProcesses } from '@takes/testing';
import { inspectionEntity } from './testing/fixtures';

const SECRET = 's'.repeat(48);
const key = new TextEncoder().encode(SECRET);

describe('gateway as a client sees it (event store and gateway as processes)', () => {
  let takes: TakesProcesses;
  let admin: string;

  beforeAll(async () => {
    takes = await startTakes('gateway_e2e', { TAKES_JWT_SECRET: SECRET, TAKES_RATE_LIMIT: '50', TAKES_STORE_TIMEOUT: '2s' });
    admin = await takes.login();
    const defined = await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: inspectionEntity });
    expect(defined.status).toBe(201);
  });
  afterAll(() => takes.close());

  describe('records', () => {
    it('create, put, patch, delete, restore; the event list and the state at an earlier version', async () => {
      const id = randomUUID();
      const created = await takes.api('POST', '/api/main/inspection', {
        token: admin,
        body: { id, site: 'north compressor', pressure: 41.5, meter_total: '9007199254740993', inspected_at: '2026-11-20T08:00:00+01:00', due_on: '2026-12-01', extra: { tags: ['gas'] } },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('etag')).toBe('"1"');
      expect(Number(created.headers.get('x-takes-position'))).toBeGreaterThan(0);
      expect(created.headers.get('idempotency-key')).toEqual(expect.any(String));
      expect(created.body).toMatchObject({
        data: { id, site: 'north compressor', readings: 0, passed: false, status: 'draft', pressure: 41.5, due_on: '2026-12-01' },
        meta: { outcome: 'applied', version: 1, contested: [] },
      });

      const put = await takes.api('PUT', `/api/main/inspection/${id}`, { token: admin, body: { readings: 3, notes: null }, headers: { 'If-Match': '"1"' } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ data: { readings: 3, notes: null, site: 'north compressor' }, meta: { version: 2 } });

      const patched = await takes.api('PATCH', `/api/main/inspection/${id}`, {
        token: admin,
        contentType: 'application/json-patch+json',
        body: [{ op: 'replace', path: '/status', value: 'submitted' }, { op: 'add', path: '/extra/tags/-', value: 'north' }],
        headers: { 'If-Match': '2' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.data).toMatchObject({ status: 'submitted', extra: { tags: ['gas', 'north'] } });

      // A stale write (base 1, head 3) is merged field by field: readings changed since
      // the base, the later submit (this one) wins and the field is contested.
      const stale = await takes.api('PUT', `/api/main/inspection/${id}`, { token: admin, body: { readings: 9 }, headers: { 'If-Match': '"1"' } });
      expect(stale.status).toBe(200);
      expect(stale.body).toMatchObject({ data: { readings: 9, status: 'submitted' }, meta: { outcome: 'merged', version: 4, contested: ['/readings'] } });

      const got = await takes.api('GET', `/api/main/inspection/${id}`, { token: admin });
      expect(got.status).toBe(200);
      expect(got.headers.get('etag')).toBe('"4"');
      expect(got.body.data).toMatchObject({ readings: 9, status: 'submitted' });

      const removed = await takes.api('DELETE', `/api/main/inspection/${id}`, { token: admin });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ data: { id }, meta: { version: 5 } });
      expect((await takes.api('GET', `/api/main/inspection/${id}`, { token: admin })).status).toBe(404);
      const restored = await takes.api('POST', `/api/main/inspection/${id}/restore`, { token: admin });
      expect(restored.status).toBe(200);
      expect(restored.body.data).toMatchObject({ id, status: 'submitted' });

      const events = await takes.api<{ data: TakesEvent[] }>('GET', `/api/main/inspection/${id}/events`, { token: admin });
      expect(events.body.data.map((e) => e.type)).toEqual(['created', 'updated', 'updated', 'merged', 'deleted', 'restored']);
      expect(events.body.data.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(events.body.data[2].patch).toEqual(expect.arrayContaining([{ op: 'replace', path: '/status', value: 'submitted' }]));

      const first = await takes.api('GET', `/api/main/inspection/${id}/at?version=1`, { token: admin });
      expect(first.body).toMatchObject({ data: { readings: 0, status: 'draft' }, meta: { version: 1, deleted: false } });
      const atTime = await takes.api('GET', `/api/main/inspection/${id}/at?time=${encodeURIComponent(events.body.data[1].commit_ts)}`, { token: admin });
      expect(atTime.body).toMatchObject({ data: { readings: 3, status: 'draft' }, meta: { version: 2 } });
    });

    it('an Idempotency-Key sent again returns the first result and appends nothing; with another body, 422', async () => {
      const id = randomUUID();
      const key = `k-${randomUUID()}`;
      const send = (site: string) => takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site }, headers: { 'Idempotency-Key': key } });
      const first = await send('east');
      const again = await send('east');
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      const rows = await takes.sql<{ n: number }>('SELECT count(*)::int AS n FROM event_store.events WHERE entity_id = $1', [id]);
      expect(rows[0].n).toBe(1);
      const other = await send('west');
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('a unique value another record holds is 409 CONFLICT at write time, also under concurrent writers; released values are free again', async () => {
      const entity = { name: 'badge', table: 'badges', fields: [{ name: 'id', type: 'uuid' }, { name: 'email', type: 'string', unique: true, nullable: true }, { name: 'name', type: 'string' }] };
      expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: entity })).status).toBe(201);
      const a = await takes.api('POST', '/api/main/badge', { token: admin, body: { email: 'ann@site', name: 'Ann' } });
      expect(a.status).toBe(201);
      const b = await takes.api('POST', '/api/main/badge', { token: admin, body: { email: 'ann@site', name: 'Bob' } });
      expect(b.status).toBe(409);
      expect(b.body.error).toMatchObject({ code: 'CONFLICT', details: [{ field: 'email', rule: 'unique' }] });
      expect((await takes.api('PUT', `/api/main/badge/${a.body.data.id}`, { token: admin, body: { name: 'Ann B' } })).status).toBe(200);
      expect((await takes.api('PUT', `/api/main/badge/${a.body.data.id}`, { token: admin, body: { email: 'ann@other' } })).status).toBe(200);
      expect((await takes.api('POST', '/api/main/badge', { token: admin, body: { email: 'ann@site', name: 'Bob' } })).status).toBe(201);
      const race = await Promise.all(Array.from({ length: 10 }, (_, i) => takes.api('POST', '/api/main/badge', { token: admin, body: { email: 'race@site', name: `r${i}` } })));
      expect(race.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
      const [{ n }] = await takes.sql<{ n: string }>("SELECT count(*) AS n FROM event_store.unique_values WHERE entity = 'badge' AND value = 'race@site'");
      expect(Number(n)).toBe(1);
    });

    it('a client may give a generated key; without one the server makes a UUID v7', async () => {
      const made = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: 'south' } });
      expect(made.body.data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });
  });

  describe('browser pages on other origins', () => {
    it('a preflight names the write headers and methods; answers let a page read the version and position', async () => {
      const preflight = await takes.api('OPTIONS', '/api/main/inspection', {
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,content-type,if-match,x-takes-device' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
      expect(preflight.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('if-match'));
      expect(preflight.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('x-takes-device'));
      const login = await takes.api('POST', '/api/main/auth/login', { headers: { origin: 'http://localhost:5173' }, body: { email: 'admin@localhost', password: 'changeme' } });
      expect(login.status).toBe(200);
      expect(login.headers.get('access-control-allow-origin')).toBe('*');
      expect(login.headers.get('access-control-expose-headers')).toEqual(expect.stringContaining('x-takes-position'));
      expect(login.headers.get('access-control-expose-headers')).toEqual(expect.stringContaining('etag'));
    });
  });

  describe('auth', () => {
    const token = (claims: Record<string, unknown>, options: { exp?: number; aud?: string; secret?: Uint8Array; alg?: string } = {}) =>
      new SignJWT({ roles: ['admin'], ...claims })
        .setProtectedHeader({ alg: options.alg ?? 'HS256' })
        .setSubject('u-1')
        .setIssuer('takes')
        .setAudience(options.aud ?? 'main')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3_600)
        .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
        .sign(options.secret ?? key);

    it('each kind of bad token is 401 in the error shape', async () => {
      const good = await token({});
      const [h, p, s] = good.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin', 'x'] })).toString('base64url')}.${s}`;
      const bad: Record<string, string | undefined> = {
        missing: undefined,
        garbage: 'not-a-jwt',
        expired: await token({}, { exp: Math.floor(Date.now() / 1000) - 600 }),
        tampered,
        wrongKey: await token({}, { secret: new TextEncoder().encode('w'.repeat(48)) }),
        algNone: new UnsecuredJWT({ roles: ['admin'] }).setSubject('u-1').setIssuer('takes').setAudience('main').setIssuedAt().setExpirationTime('1h').encode(),
        otherApp: await token({}, { aud: 'other' }),
      };
      for (const [kind, t] of Object.entries(bad)) {
        const response = await takes.api('GET', '/api/main/_admin/entities', { token: t });
        expect({ kind, status: response.status, code: response.body?.error?.code }).toEqual({ kind, status: 401, code: 'UNAUTHORIZED' });
      }
      expect((await takes.api('GET', '/api/main/_admin/entities', { token: good })).status).toBe(200);
    });

    it('a platform token acts as admin in every app; an app token is refused by another app', async () => {
      const platform = await takes.login('_platform', 'platform@localhost');
      const app = await takes.api('POST', '/api/_platform/apps', { token: platform, body: { name: 'other', display_name: 'Other' } });
      expect(app.status).toBe(201);
      expect(app.body.data).toMatchObject({ name: 'other', status: 'active' });
      expect((await takes.api('GET', '/api/other/_admin/entities', { token: platform })).status).toBe(200);
      expect((await takes.api('GET', '/api/other/_admin/entities', { token: admin })).status).toBe(401);
      const otherAdmin = await takes.login('other');
      expect((await takes.api('GET', '/api/main/_admin/entities', { token: otherAdmin })).status).toBe(401);
      expect((await takes.api('GET', '/api/_platform/apps', { token: admin })).status).toBe(401);
      expect((await takes.api('GET', '/api/nowhere/_admin/entities', { token: platform })).body.error.code).toBe('APP_NOT_FOUND');
    });

    it('the seeded passwords can be changed: the platform admin through /api/_platform/_admin/users', async () => {
      const platform = await takes.login('_platform', 'platform@localhost');
      const users = await takes.api('GET', '/api/_platform/_admin/users', { token: platform });
      const me = users.body.data.find((u: { email: string }) => u.email === 'platform@localhost');
      expect(me.roles).toEqual(['platform_admin']);
      expect((await takes.api('PUT', `/api/_platform/_admin/users/${me.id}`, { token: platform, body: { password: 'a-better-secret' } })).status).toBe(200);
      expect((await takes.api('POST', '/api/_platform/auth/login', { body: { email: 'platform@localhost', password: 'changeme' } })).status).toBe(401);
      expect((await takes.login('_platform', 'platform@localhost', 'a-better-secret'))).toEqual(expect.any(String));
      expect((await takes.api('GET', '/api/_platform/_admin/users', { token: admin })).status).toBe(401);
    });

    it('a user without the admin role gets 403 on /_admin and, with no permission row, on records', async () => {
      const created = await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email: 'crew@example.com', password: 'field-crew-1', roles: ['inspector'] } });
      expect(created.status).toBe(201);
      expect(created.body.data).not.toHaveProperty('password_hash');
      expect(created.body.data).not.toHaveProperty('password');
      const crew = await takes.login('main', 'crew@example.com', 'field-crew-1');
      expect((await takes.api('GET', '/api/main/_admin/users', { token: crew })).body.error.code).toBe('FORBIDDEN');
      expect((await takes.api('POST', '/api/main/inspection', { token: crew, body: { site: 'x' } })).status).toBe(403);
      const users = await takes.api('GET', '/api/main/_admin/users', { token: admin });
      expect(JSON.stringify(users.body)).not.toContain('argon2');
      const deactivated = await takes.api('PUT', `/api/main/_admin/users/${created.body.data.id}`, { token: admin, body: { active: false } });
      expect(deactivated.body.data.active).toBe(false);
      const login = await takes.api('POST', '/api/main/auth/login', { body: { email: 'crew@example.com', password: 'field-crew-1' } });
      expect(login.status).toBe(401);
    });

    it('refresh rotates; a reused refresh token revokes its family; logout revokes', async () => {
      const login = await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost', password: 'changeme' } });
      const first = login.body.data.refresh_token;
      const rotated = await takes.api('POST', '/api/main/auth/refresh', { body: { refresh_token: first } });
      expect(rotated.status).toBe(200);
      expect(rotated.body.data).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String) });
      expect((await takes.api('POST', '/api/main/auth/refresh', { body: { refresh_token: first } })).status).toBe(401);
      // The reuse revoked the family: the token from the rotation is dead too.
      expect((await takes.api('POST', '/api/main/auth/refresh', { body: { refresh_token: rotated.body.data.refresh_token } })).status).toBe(401);

      const again = await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost', password: 'changeme' } });
      const out = await takes.api('POST', '/api/main/auth/logout', { body: { refresh_token: again.body.data.refresh_token } });
      expect(out).toMatchObject({ status: 200, body: { message: 'Logged out' } });
      expect((await takes.api('POST', '/api/main/auth/refresh', { body: { refresh_token: again.body.data.refresh_token } })).status).toBe(401);
      expect((await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost', password: 'nope' } })).status).toBe(401);
      expect((await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost' } })).status).toBe(401);
    });
  });

  describe('bad input', () => {
    it('each gets its code in the error shape, and nothing is appended', async () => {
      const id = randomUUID();
      await takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site: 'bad-input' } });
      const before = await takes.recordEventCount();
      const cases: [string, string, Parameters<TakesProcesses['api']>[2], number, string][] = [
        ['malformed JSON', 'POST /api/main/inspection', { raw: '{"site": ' }, 400, 'INVALID_PAYLOAD'],
        ['not an object', 'POST /api/main/inspection', { body: ['a'] }, 400, 'INVALID_PAYLOAD'],
        ['wrong type', 'POST /api/main/inspection', { body: { site: 'x', readings: 'many' } }, 422, 'VALIDATION_FAILED'],
        ['missing required', 'POST /api/main/inspection', { body: { readings: 1 } }, 422, 'VALIDATION_FAILED'],
        ['enum', 'POST /api/main/inspection', { body: { site: 'x', status: 'lost' } }, 422, 'VALIDATION_FAILED'],
        ['unknown field', 'POST /api/main/inspection', { body: { site: 'x', colour: 'red' } }, 422, 'VALIDATION_FAILED'],
        ['unknown entity', 'POST /api/main/nothing', { body: { site: 'x' } }, 404, 'UNKNOWN_ENTITY'],
        ['patch not a list', `PATCH /api/main/inspection/${id}`, { body: { op: 'replace' }, contentType: 'application/json-patch+json' }, 400, 'INVALID_PAYLOAD'],
        ['patch bad op', `PATCH /api/main/inspection/${id}`, { body: [{ op: 'jump', path: '/site' }], contentType: 'application/json-patch+json' }, 400, 'INVALID_PAYLOAD'],
        ['patch bad path', `PATCH /api/main/inspection/${id}`, { body: [{ op: 'replace', path: '/extra/deep/x', value: 1 }], contentType: 'application/json-patch+json' }, 400, 'INVALID_PAYLOAD'],
        ['patch wrong type', `PATCH /api/main/inspection/${id}`, { body: [{ op: 'replace', path: '/readings', value: 'x' }], contentType: 'application/json-patch+json' }, 422, 'VALIDATION_FAILED'],
        ['patch failing test', `PATCH /api/main/inspection/${id}`, { body: [{ op: 'test', path: '/site', value: 'other' }], contentType: 'application/json-patch+json' }, 409, 'CONFLICT'],
        ['oversize body', 'POST /api/main/inspection', { body: { site: 'x', notes: 'n'.repeat(300 * 1024) } }, 413, 'INVALID_PAYLOAD'],
        ['bad If-Match', `PUT /api/main/inspection/${id}`, { body: { readings: 1 }, headers: { 'If-Match': 'yesterday' } }, 400, 'INVALID_PAYLOAD'],
        ['unknown record', `PUT /api/main/inspection/${randomUUID()}`, { body: { readings: 1 } }, 404, 'NOT_FOUND'],
      ];
      for (const [name, route, options, status, code] of cases) {
        const [method, path] = route.split(' ');
        const response = await takes.api(method, path, { token: admin, ...options });
        expect({ name, status: response.status, code: response.body?.error?.code, message: typeof response.body?.error?.message }).toEqual({ name, status, code, message: 'string' });
      }
      const wrong = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: 3, readings: 'x', colour: 1 } });
      expect(wrong.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'readings', 'site']);
      expect(await takes.recordEventCount()).toBe(before);
    });
  });

  describe('_sync', () => {
    it("a create keeps the key its device made (the edit's id), so the device's later edits of that key reach it; a different key in data is refused", async () => {
      const id = randomUUID();
      const response = await takes.api('POST', '/api/main/_sync', {
        token: admin,
        body: {
          edits: [
            { command_id: `k-${id}-0`, entity: 'inspection', id, op: 'create', data: { site: 'made on a tablet' } },
            { command_id: `k-${id}-1`, parent: `k-${id}-0`, entity: 'inspection', id, op: 'put', data: { readings: 2 } },
            { command_id: `k-${id}-2`, entity: 'inspection', id: randomUUID(), op: 'create', data: { id, site: 'two keys' } },
          ],
        },
      });
      expect(response.body.data.map((r: { outcome: string; id?: string }) => [r.outcome, r.id ?? null])).toEqual([
        ['applied', id],
        ['applied', id],
        ['rejected', null],
      ]);
      expect(response.body.data[2].error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'id', rule: 'mismatch' }] });
      expect(response.body.data[1].record).toMatchObject({ id, site: 'made on a tablet', readings: 2 });
    });

    it('a batch of 100 edits, some stale (merged) or invalid: one result each, valid ones appended once, a retry changes nothing', async () => {
      const ids = Array.from({ length: 10 }, () => randomUUID());
      const edits: Record<string, unknown>[] = [];
      const expectOk: boolean[] = [];
      ids.forEach((id, r) => {
        edits.push({ command_id: `s-${id}-0`, entity: 'inspection', op: 'create', data: { id, site: `site ${r}` } });
        expectOk.push(true);
        for (let v = 1; v <= 6; v += 1) {
          edits.push({ command_id: `s-${id}-${v}`, parent: `s-${id}-${v - 1}`, entity: 'inspection', id, op: 'put', base_version: v, data: { readings: v }, submit_ts: new Date().toISOString() });
          expectOk.push(true);
        }
      });
      // 10 stale (base 1 of a record now at 7: merged, notes untouched since), 10 invalid, 10 patches that are fine.
      ids.forEach((id) => {
        edits.push({ command_id: `stale-${id}`, entity: 'inspection', id, op: 'put', base_version: 1, data: { notes: 'old view' } });
        expectOk.push(true);
      });
      ids.forEach((id, i) => {
        edits.push(i % 2 === 0
          ? { command_id: `bad-${id}`, entity: 'inspection', id, op: 'put', data: { readings: 'lots' } }
          : { command_id: `bad-${id}`, entity: 'nothing', id, op: 'put', data: {} });
        expectOk.push(false);
      });
      ids.forEach((id) => {
        edits.push({ command_id: `p-${id}`, entity: 'inspection', id, op: 'patch', patch: [{ op: 'replace', path: '/status', value: 'submitted' }] });
        expectOk.push(true);
      });
      expect(edits).toHaveLength(100);
      const before = await takes.recordEventCount();
      const first = await takes.api('POST', '/api/main/_sync', { token: admin, body: { edits } });
      expect(first.status).toBe(200);
      expect(first.body.data).toHaveLength(100);
      first.body.data.forEach((result: { command_id: string; outcome: string; error?: { code: string } }, i: number) => {
        expect(result.command_id).toBe(edits[i].command_id);
        expect({ i, ok: result.outcome !== 'rejected' }).toEqual({ i, ok: expectOk[i] });
      });
      const stale = first.body.data.find((r: { command_id: string }) => r.command_id.startsWith('stale-'));
      expect(stale).toMatchObject({ outcome: 'merged', contested: [], record: { notes: 'old view', readings: 6 } });
      expect(first.body.data.find((r: { command_id: string }) => r.command_id === `bad-${ids[1]}`).error.code).toBe('UNKNOWN_ENTITY');
      expect(await takes.recordEventCount()).toBe(before + 90);
      const last = await takes.api('GET', `/api/main/inspection/${ids[0]}`, { token: admin });
      expect(last.body.data).toMatchObject({ readings: 6, status: 'submitted' });

      const retry = await takes.api('POST', '/api/main/_sync', { token: admin, body: { edits } });
      expect(await takes.recordEventCount()).toBe(before + 90);
      retry.body.data.forEach((result: { outcome: string }, i: number) => {
        if (expectOk[i]) expect(result).toEqual(first.body.data[i]);
      });
      expect((await takes.api('POST', '/api/main/_sync', { token: admin, body: { edits: 'all' } })).status).toBe(400);
    });
  });

  describe('metadata and operability', () => {
    it('a new entity is in effect for the very next request, and another gateway replica follows within seconds', async () => {
      const { startService } = await import('@takes/testing');
      const second = await startService('gateway', {
        env: { TAKES_DATABASE_URL: takes.testDb.url, TAKES_NATS_URL: takes.stream.url, TAKES_SUBJECT_PREFIX: takes.stream.prefix, TAKES_STREAM_NAME: takes.stream.stream, TAKES_JWT_SECRET: SECRET },
        httpPortVar: 'TAKES_PORT',
      });
      try {
        const entity = { name: 'pump', table: 'pumps', fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string' }] };
        expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: entity })).status).toBe(201);
        expect((await takes.api('POST', '/api/main/pump', { token: admin, body: { label: 'P-1' } })).status).toBe(201);
        const viaSecond = () => fetch(`http://127.0.0.1:${second.httpPort}/api/main/pump`, {
          method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ label: 'P-2' }),
        });
        const started = Date.now();
        await eventually(async () => expect((await viaSecond()).status).toBe(201), 5_000, 100);
        expect(Date.now() - started).toBeLessThan(5_000);
        // A field removed is hidden; its data stays in the events.
        const redefined = await takes.api('PUT', '/api/main/_admin/entities/pump', { token: admin, body: { ...entity, fields: [{ name: 'id', type: 'uuid' }] } });
        expect(redefined.status).toBe(200);
        const made = await takes.api('POST', '/api/main/pump', { token: admin, body: {} });
        expect(made.body.data).not.toHaveProperty('label');
        expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: entity })).status).toBe(409);
        expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: { name: 'Bad Name', fields: [] } })).body.error.code).toBe('VALIDATION_FAILED');
      } finally {
        await second.stop();
      }
    });

    it('health, ready, metrics, the OpenAPI document, rate limits and the trace id carried to the event', async () => {
      expect((await takes.api('GET', '/health')).body).toEqual({ status: 'ok' });
      expect((await takes.api('GET', '/ready')).body).toMatchObject({ status: 'ready' });
      const metrics = await takes.api<string>('GET', '/metrics');
      expect(metrics.body).toMatch(/takes_http_requests_total\{method="POST",route="\/api\/:app\/:entity",status="201",service="gateway"\} \d+/);
      const docs = await takes.api('GET', '/api/docs');
      expect(docs.body.openapi).toMatch(/^3\./);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/{app}/_sync', '/api/{app}/{entity}/{id}/at', '/api/{app}/_admin/entities']));

      const traceId = 'ab'.repeat(16);
      const write = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: 'traced' }, headers: { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01` } });
      expect(write.headers.get('traceparent')).toContain(traceId);
      await eventually(async () => {
        const messages = await takes.stream.messages();
        const event = messages.find((m) => (m.body as TakesEvent).entity_id === write.body.data.id);
        expect(event?.headers.traceparent).toContain(traceId);
      }, 5_000);

      const spam = await Promise.all(Array.from({ length: 600 }, () => takes.api('GET', '/api/main/_admin/entities', { token: 'spam-token' })));
      const limited = spam.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
    });
  });

  describe('event store down', () => {
    it('writes get 503 within the timeout while it is stopped, and work again once it is back', async () => {
      await takes.store.stop();
      const started = Date.now();
      const down = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: 'offline' } });
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('UNAVAILABLE');
      expect(down.headers.get('idempotency-key')).toEqual(expect.any(String));
      expect(Date.now() - started).toBeLessThan(2_500);
      await takes.startStore();
      const up = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: 'online' } });
      expect(up.status).toBe(201);
    });
  });
});
