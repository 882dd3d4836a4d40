import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startTakes, type TakesProcesses } from '@takes/testing';
import { inspectionEntity } from '../testing/fixtures';
import { nestedJson, servedSubjects } from '../testing/served-subjects';

/** One request over node:http, its body written in full whatever the server does; the answer or the socket's error. */
function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string | number>, body?: Buffer) {
  const url = new URL(baseUrl);
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string } | { error: string }>((resolve) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

function errorShape(text: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string' ? (parsed.error as { code: string; message: string }) : undefined;
  } catch {
    return undefined;
  }
}

const nested = nestedJson;

describe('gateway under bad input and as Rocket’s clients use it', () => {
  let takes: TakesProcesses;
  let admin: string;

  beforeAll(async () => {
    takes = await startTakes('gateway_bad_input');
    admin = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: inspectionEntity })).status).toBe(201);
  });
  afterAll(() => takes.close());

  const json = { 'Content-Type': 'application/json' };

  it('an empty body with a JSON content type is no body: DELETE and restore as Rocket’s admin UI sends them', async () => {
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site: 'empty body' } })).status).toBe(201);
    const removed = await takes.api('DELETE', `/api/main/inspection/${id}`, { token: admin, raw: '' });
    expect(removed).toMatchObject({ status: 200, body: { data: { id } } });
    const restored = await takes.api('POST', `/api/main/inspection/${id}/restore`, { token: admin, raw: '' });
    expect(restored).toMatchObject({ status: 200, body: { data: { id, site: 'empty body' } } });
    const listed = await takes.api('GET', '/api/main/inspection', { token: admin, headers: json });
    expect(listed.status).toBe(200);
    // A route that needs a body still says so, in the error shape.
    const create = await takes.api('POST', '/api/main/inspection', { token: admin, raw: '' });
    expect(create).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PAYLOAD' } } });
  });

  it('entities, tables and relations may start with "_" (Rocket’s suites name them _test_…); Takes’ own names stay reserved', async () => {
    const entity = { ...inspectionEntity, name: '_test_visit', table: '_test_visits' };
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: entity })).status).toBe(201);
    const id = randomUUID();
    const created = await takes.api('POST', '/api/main/_test_visit', { token: admin, body: { id, site: 'underscored' } });
    expect(created).toMatchObject({ status: 201, body: { data: { id, site: 'underscored' } } });
    const read = await takes.api('GET', `/api/main/_test_visit/${id}`, { token: admin });
    expect(read).toMatchObject({ status: 200, body: { data: { id, site: 'underscored' } } });
    const listed = await takes.api('GET', '/api/main/_test_visit?filter[site]=underscored', { token: admin });
    expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([id]);
    for (const name of ['_admin', '_sync', '_conflicts', '_meta', '_link_x']) {
      const refused = await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: { ...inspectionEntity, name, table: `t${name}` } });
      expect({ name, status: refused.status, rule: refused.body.error?.details?.[0]?.rule }).toEqual({ name, status: 422, rule: 'reserved' });
    }
  });

  it('a min_position beyond any write is 400 naming the last position, not a 503 to retry forever', async () => {
    const beyond = await takes.api('GET', '/api/main/inspection', { token: admin, headers: { 'x-takes-min-position': '999999999' } });
    expect(beyond.status).toBe(400);
    expect(beyond.body.error).toMatchObject({ code: 'INVALID_PAYLOAD', details: { wanted_position: 999999999, last_position: expect.any(Number) } });
    const reached = await takes.api('GET', `/api/main/inspection?min_position=${beyond.body.error.details.last_position}`, { token: admin });
    expect(reached.status).toBe(200);
  });

  it('logout is idempotent: an unknown or already revoked refresh token answers 200', async () => {
    const login = await takes.api('POST', '/api/main/auth/login', { body: { email: 'admin@localhost', password: 'changeme' } });
    const token = login.body.data.refresh_token as string;
    for (let i = 0; i < 2; i += 1) {
      expect(await takes.api('POST', '/api/main/auth/logout', { body: { refresh_token: token } })).toMatchObject({ status: 200, body: { message: 'Logged out' } });
    }
    expect(await takes.api('POST', '/api/main/auth/logout', { body: { refresh_token: 'never-issued' } })).toMatchObject({ status: 200, body: { message: 'Logged out' } });
    expect((await takes.api('POST', '/api/main/auth/refresh', { body: { refresh_token: token } })).status).toBe(401);
  });

  it('a 3 MiB body gets its 413 in the error shape, then the connection closes cleanly (no EPIPE)', async () => {
    const body = Buffer.from(JSON.stringify({ site: 'x', notes: 'n'.repeat(3 * 1024 * 1024) }));
    for (const headers of [{ ...json, 'Content-Length': body.length, Authorization: `Bearer ${admin}` }, { ...json, 'Transfer-Encoding': 'chunked', Authorization: `Bearer ${admin}` }]) {
      const answer = await rawRequest(takes.baseUrl, 'POST', '/api/main/inspection', headers, body);
      expect('status' in answer && { status: answer.status, code: errorShape(answer.text)?.code }).toEqual({ status: 413, code: 'INVALID_PAYLOAD' });
    }
    expect((await takes.api('GET', '/health')).status).toBe(200);
  });

  it('a URL over the parser’s limit (414) and headers over the limit (431) are answered in the error shape', async () => {
    const longParam = await rawRequest(takes.baseUrl, 'GET', `/api/main/inspection/${'a'.repeat(1000)}`, { Authorization: `Bearer ${admin}` });
    expect('status' in longParam && { status: longParam.status, code: errorShape(longParam.text)?.code }).toEqual({ status: 414, code: 'INVALID_PAYLOAD' });
    const longUrl = await rawRequest(takes.baseUrl, 'GET', `/api/main/inspection?filter[site]=${'a'.repeat(70 * 1024)}`, { Authorization: `Bearer ${admin}` });
    expect('status' in longUrl && { status: longUrl.status, code: errorShape(longUrl.text)?.code }).toEqual({ status: 431, code: 'INVALID_PAYLOAD' });
    const bigHeader = await rawRequest(takes.baseUrl, 'GET', '/health', { 'X-Filler': 'h'.repeat(70 * 1024) });
    expect('status' in bigHeader && { status: bigHeader.status, code: errorShape(bigHeader.text)?.code }).toEqual({ status: 431, code: 'INVALID_PAYLOAD' });
    expect((await takes.api('GET', '/health')).status).toBe(200);
  });

  it('deep nesting is a 400 INVALID_PAYLOAD at the gateway, in bodies, JSON Patch values and _sync, and nothing is appended', async () => {
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site: 'deep' } })).status).toBe(201);
    const before = await takes.recordEventCount();
    const deepBody = '['.repeat(20_000) + ']'.repeat(20_000);
    const cases: [string, string, Parameters<TakesProcesses['api']>[2]][] = [
      ['20,000 levels', 'POST /api/main/inspection', { raw: deepBody }],
      ['a 5,000-level value in a 10 KB body', 'POST /api/main/inspection', { raw: `{"site":"x","extra":${nested(5000)}}` }],
      ['a 5,000-level value in a PUT', `PUT /api/main/inspection/${id}`, { raw: `{"extra":${nested(5000)}}` }],
      ['a 5,000-level JSON Patch value', `PATCH /api/main/inspection/${id}`, { raw: `[{"op":"replace","path":"/extra","value":${nested(5000)}}]`, contentType: 'application/json-patch+json' }],
      ['20,000 levels of JSON Patch', `PATCH /api/main/inspection/${id}`, { raw: deepBody, contentType: 'application/json-patch+json' }],
      ['a deep value in _sync', 'POST /api/main/_sync', { raw: `{"edits":[{"command_id":"${randomUUID()}","entity":"inspection","id":"${id}","op":"put","data":{"extra":${nested(5000)}}}]}` }],
    ];
    for (const [name, route, options] of cases) {
      const [method, path] = route.split(' ');
      const response = await takes.api(method, path, { token: admin, ...options });
      expect({ name, status: response.status, code: response.body?.error?.code }).toEqual({ name, status: 400, code: 'INVALID_PAYLOAD' });
    }
    // A value nested as deep as a record plausibly needs is stored.
    const fine = await takes.api('PUT', `/api/main/inspection/${id}`, { token: admin, raw: `{"extra":${nested(40)}}` });
    expect(fine.status).toBe(200);
    expect(await takes.recordEventCount()).toBe(before + 1);
  });

  /** One request with a raw header value (node:http refuses to send some), its answer or the socket's error. */
  function rawHeaderRequest(method: string, path: string, header: string, body: string) {
    const url = new URL(takes.baseUrl);
    return new Promise<{ status: number; code?: string } | { error: string }>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.end(Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\n${header}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, 'latin1'));
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      socket.on('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        resolve({ status, code: errorShape(text.slice(text.indexOf('\r\n\r\n') + 4))?.code });
      });
    });
  }

  it('a record key is checked by its primary key type before the store: NUL, lone surrogates and non-UUIDs are a 400, never a 500', async () => {
    const tag = { name: 'tag', table: 'tags', primary_key: { field: 'code', type: 'string' }, fields: [{ name: 'code', type: 'string' }, { name: 'label', type: 'string', nullable: true }] };
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: tag })).status).toBe(201);
    const before = await takes.recordEventCount();
    const routes: [string, string, Parameters<TakesProcesses['api']>[2]?][] = [];
    for (const key of ['%00', 'abc', 'a%00b', '%ED%A0%80']) {
      routes.push(['DELETE', `/api/main/inspection/${key}`], ['GET', `/api/main/inspection/${key}`], ['PUT', `/api/main/inspection/${key}`, { body: { site: 'x' } }]);
      routes.push(['PATCH', `/api/main/inspection/${key}`, { raw: '[]', contentType: 'application/json-patch+json' }], ['POST', `/api/main/inspection/${key}/restore`]);
      routes.push(['GET', `/api/main/inspection/${key}/events`], ['GET', `/api/main/inspection/${key}/history`], ['GET', `/api/main/inspection/${key}/at?version=1`]);
    }
    for (const key of ['%00', 'a%00b']) {
      routes.push(['DELETE', `/api/main/tag/${key}`], ['GET', `/api/main/tag/${key}`], ['PUT', `/api/main/tag/${key}`, { body: { label: 'x' } }], ['GET', `/api/main/tag/${key}/history`]);
    }
    for (const [method, path, options] of routes) {
      const answer = await takes.api(method, path, { token: admin, ...options });
      expect({ method, path, status: answer.status, code: answer.body?.error?.code }).toEqual({ method, path, status: 400, code: 'INVALID_PAYLOAD' });
    }
    // A string key with neither is written and read as given; a uuid key in capitals finds the record.
    expect((await takes.api('PUT', '/api/main/tag/quay%204', { token: admin, body: { label: 'x' } })).status).toBe(404);
    expect((await takes.api('POST', '/api/main/tag', { token: admin, body: { code: 'quay 4', label: 'x' } })).status).toBe(201);
    expect(await takes.api('GET', '/api/main/tag/quay%204', { token: admin })).toMatchObject({ status: 200, body: { data: { code: 'quay 4' } } });
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site: 'caps' } })).status).toBe(201);
    expect((await takes.api('PUT', `/api/main/inspection/${id.toUpperCase()}`, { token: admin, body: { site: 'CAPS' } })).status).toBe(200);
    expect(await takes.recordEventCount()).toBe(before + 3);
  });

  it('a NUL or a lone surrogate in a string value: 422 in bodies (values and keys), 400 in filters and headers; nothing appended', async () => {
    const id = randomUUID();
    expect((await takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site: 'text' } })).status).toBe(201);
    const before = await takes.recordEventCount();
    const bodies: [string, string, string, string, string?][] = [
      ['NUL in a string', 'POST', '/api/main/inspection', '{"site":"a\\u0000b"}'],
      ['lone high surrogate', 'POST', '/api/main/inspection', '{"site":"a\\ud800b"}'],
      ['lone low surrogate in json', 'PUT', `/api/main/inspection/${id}`, '{"extra":{"k":"\\udc00"}}'],
      ['lone surrogate in a key', 'PUT', `/api/main/inspection/${id}`, '{"extra":{"k\\ud800":1}}'],
      ['in a JSON Patch value', 'PATCH', `/api/main/inspection/${id}`, '[{"op":"replace","path":"/site","value":"\\u0000"}]', 'application/json-patch+json'],
      ['in _sync', 'POST', '/api/main/_sync', `{"edits":[{"command_id":"${randomUUID()}","entity":"inspection","id":"${id}","op":"put","data":{"site":"\\ud800"}}]}`],
      ['in a login', 'POST', '/api/main/auth/login', '{"email":"admin@localhost\\u0000","password":"changeme"}'],
      ['in an entity definition', 'POST', '/api/main/_admin/entities', '{"name":"nul_thing","fields":[{"name":"a","type":"string","default":"\\u0000"}]}'],
    ];
    for (const [name, method, path, raw, contentType] of bodies) {
      const answer = await takes.api(method, path, { token: admin, raw, contentType });
      expect({ name, status: answer.status, code: answer.body?.error?.code }).toEqual({ name, status: 422, code: 'VALIDATION_FAILED' });
    }
    for (const query of ['filter[site]=%00', 'filter[site]=a%00', 'filter[extra]=%22%5Cud800%22', 'filter[site.in]=a,%00', 'sort=%00']) {
      const answer = await takes.api('GET', `/api/main/inspection?${query}`, { token: admin });
      expect({ query, status: answer.status, code: answer.body?.error?.code }).toEqual({ query, status: 400, code: expect.stringMatching(/^(INVALID_PAYLOAD|UNKNOWN_FIELD)$/) });
    }
    for (const header of ['X-Takes-Device: a\u0000b', 'Idempotency-Key: k\u0000', 'X-Takes-Parent: \u0000', 'If-Match: "1\u0000"']) {
      const answer = await rawHeaderRequest('PUT', `/api/main/inspection/${id}`, header, '{"site":"header"}');
      expect({ header, answer }).toEqual({ header, answer: { status: 400, code: 'INVALID_PAYLOAD' } });
    }
    expect(await takes.recordEventCount()).toBe(before);
    expect((await takes.api('GET', '/health')).status).toBe(200);
  });

  it('lenient inputs are refused: impossible header dates (400), a branch time before the record existed (422); page and per_page read as Rocket reads them', async () => {
    const id = randomUUID();
    const created = await takes.api('POST', '/api/main/inspection', { token: admin, body: { id, site: 'dates' } });
    expect(created.status).toBe(201);
    const before = await takes.recordEventCount();
    for (const [header, value] of [['X-Takes-Submit-Ts', '2026-02-31T10:00:00Z'], ['X-Takes-Branch-Ts', '2026-04-31T10:00:00Z'], ['X-Takes-Submit-Ts', '2026-01-01T25:00:00Z']]) {
      const answer = await takes.api('PUT', `/api/main/inspection/${id}`, { token: admin, body: { site: 'x' }, headers: { [header]: value } });
      expect({ header, status: answer.status, field: answer.body?.error?.details?.[0]?.field }).toEqual({ header, status: 400, field: header });
    }
    // A branch time before the record existed (a copy taken before it was written), as a header and in _sync: 422, nothing appended.
    const weekEarly = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const stale = await takes.api('PUT', `/api/main/inspection/${id}`, { token: admin, body: { site: 'x' }, headers: { 'If-Match': '"1"', 'X-Takes-Branch-Ts': weekEarly } });
    expect({ status: stale.status, detail: stale.body.error.details[0] }).toEqual({ status: 422, detail: expect.objectContaining({ field: 'branch_ts', rule: 'before_base' }) });
    const synced = await takes.api('POST', '/api/main/_sync', { token: admin, body: { edits: [{ command_id: `early-${id}`, entity: 'inspection', id, op: 'put', base_version: 1, data: { site: 'y' }, branch_ts: weekEarly }] } });
    expect(synced.body.data[0]).toMatchObject({ outcome: 'rejected', error: { code: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'branch_ts' })] } });
    expect(await takes.recordEventCount()).toBe(before);
    // Taken when it was written, or a little before by a device's clock, the same edit is taken.
    const skewed = await takes.api('PUT', `/api/main/inspection/${id}`, { token: admin, body: { site: 'skewed' }, headers: { 'If-Match': '"1"', 'X-Takes-Branch-Ts': new Date(Date.now() - 60_000).toISOString() } });
    expect(skewed.status).toBe(200);
    // Rocket's parseQueryParams: a page or per_page that is not a positive integer is the default; per_page over 100 is 100.
    for (const [query, meta] of [['page=0', { page: 1, per_page: 25 }], ['page=-1', { page: 1, per_page: 25 }], ['per_page=abc', { page: 1, per_page: 25 }], ['per_page=1000', { page: 1, per_page: 100 }], ['page=2&per_page=1', { page: 2, per_page: 1 }]] as const) {
      const answer = await takes.api('GET', `/api/main/inspection?${query}`, { token: admin });
      expect({ query, status: answer.status, meta: { page: answer.body.meta.page, per_page: answer.body.meta.per_page } }).toEqual({ query, status: 200, meta });
    }
  });

  it('entity definitions: unknown properties (each named) and contradictory settings are a 422; a definition read back is accepted as it is', async () => {
    const cases: [unknown, string[]][] = [
      [{ name: 'typo', soft_delet: true, fields: [{ name: 'a', type: 'string', requird: true }] }, ['soft_delet', 'fields[0].requird']],
      [{ name: 'contra1', history: false, merge_policy: 'longest-chain', fields: [] }, ['merge_policy']],
      [{ name: 'contra2', history: true, stale_write: 'overwrite', fields: [] }, ['stale_write']],
      [{ name: 'contra3', stale_write: 'overwrite', fields: [] }, ['stale_write']],
    ];
    for (const [body, fields] of cases) {
      const answer = await takes.api('POST', '/api/main/_admin/entities', { token: admin, body });
      expect({ status: answer.status, fields: answer.body.error.details.map((d: { field: string }) => d.field) }).toEqual({ status: 422, fields });
    }
    const read = await takes.api('GET', '/api/main/_admin/entities/inspection', { token: admin });
    const definition = read.body.data.definition ?? read.body.data;
    expect((await takes.api('PUT', '/api/main/_admin/entities/inspection', { token: admin, body: definition })).status).toBe(200);
  });

  it('route words are routes: an unknown /_admin/<word> is 404 route not found; _conflicts of an unknown entity is 404 UNKNOWN_ENTITY', async () => {
    for (const path of ['/api/main/_admin/nope', '/api/main/_admin/nope/x', '/api/main/_sync/x', '/api/main/_changes/x']) {
      const answer = await takes.api('GET', path, { token: admin });
      expect({ path, status: answer.status, body: answer.body }).toEqual({ path, status: 404, body: { error: { code: 'NOT_FOUND', message: 'route not found' } } });
    }
    expect(await takes.api('GET', '/api/main/_conflicts?entity=nope', { token: admin })).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_ENTITY' } } });
  });

  it('over NATS, every subject a service serves answers a bad payload with an error reply (never a crash, never UNAVAILABLE), a 5,000-level command included', async () => {
    const user = { id: 'u1', roles: ['admin'] };
    const command = (extra: string) => `{"v":1,"command_id":"${randomUUID()}","app":"main","entity":"inspection","entity_id":"${randomUUID()}","op":"create","user":${JSON.stringify(user)},${extra}}`;
    const payloads: [string, string][] = [
      ['not JSON', '{"v":1,'],
      ['nested 5,000 levels', command(`"data":{"site":"x","extra":${nested(5000)}}`)],
      ['a NUL in a key', `{"v":1,"app":"main","entity":"inspection","entity_id":"a\\u0000","command_id":"c\\u0000","op":"delete","user":${JSON.stringify(user)}}`],
      ['a lone surrogate', `{"v":1,"app":"main","entity":"inspection","entity_id":"\\ud800","op":"delete","user":${JSON.stringify(user)}}`],
      ['wrong types', '{"v":"1","app":5,"entity":[],"entity_id":{},"from_version":"a","limit":-1,"user":1,"read_model":7}'],
    ];
    const before = await takes.recordEventCount();
    for (const subject of servedSubjects(takes.stream.prefix)) {
      for (const [name, payload] of payloads) {
        const reply = JSON.parse(Buffer.from((await takes.stream.nc.request(subject, Buffer.from(payload), { timeout: 10_000 })).data).toString('utf8'));
        expect({ subject, name, code: reply.error?.code }).toEqual({ subject, name, code: 'INVALID_PAYLOAD' });
      }
    }
    // The fingerprint's canonical JSON is not what refuses it: a command deep in the gateway's bound is taken.
    const fine = JSON.parse(Buffer.from((await takes.stream.nc.request(`${takes.stream.prefix}cmd.main.inspection`, Buffer.from(command(`"data":{"site":"deep enough","extra":${nested(60)}}`)), { timeout: 10_000 })).data).toString('utf8'));
    expect(fine.data).toMatchObject({ outcome: 'applied', version: 1 });
    expect(await takes.recordEventCount()).toBe(before + 1);
    for (const service of [takes.store, takes.projector, takes.gateway]) expect(service.child.exitCode).toBeNull();
  });
});
