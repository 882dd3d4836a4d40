import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { startTakes, type TakesProcesses } from '@takes/testing';
import { inspectionEntity } from '../testing/fixtures';

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

/** JSON text of a value nested `depth` levels (arrays and objects in turn), written without recursion. */
function nested(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i += 1) {
    open += i % 2 === 0 ? '[' : '{"v":';
    close = (i % 2 === 0 ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

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
});
