import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { startTakes, type TakesProcesses } from '@takes/testing';
import { inspectionEntity } from '../testing/fixtures';
import { nestedJson, servedSubjects } from '../testing/served-subjects';

/**
 * A few thousand hostile requests, generated with fast-check over every gateway route
 * (the OpenAPI document's), and a sample of bad messages over every NATS subject the
 * services serve. Every answer is a 2xx or a 4xx in the error shape: no 5xx, no dropped
 * connection; a refused request appends nothing; the services are healthy after.
 */

const REQUESTS = 3000;
/** One request in ten is a valid create of an inspection, so accepted writes are there to tell from refused ones. */
const VALID_EVERY = 10;
const NATS_MESSAGES = 400;
const CONCURRENCY = 8;

interface Hostile {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  text: string;
}

/** Kept-alive connections: the valid writes go over the ones hostile requests used before them. */
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(baseUrl: string, hostile: Hostile): Promise<Answer | { error: string }> {
  const url = new URL(baseUrl);
  // Node sends a GET's or a DELETE's body without a length: the server then reads that
  // body as the next request on the connection, and whichever request comes next on it
  // is answered 400 or cut. The body is hostile; its framing must not be.
  const headers = hostile.body === undefined ? hostile.headers : { ...hostile.headers, 'Content-Length': String(Buffer.byteLength(hostile.body)) };
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, method: hostile.method, path: hostile.path, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(hostile.body);
  });
}

function inErrorShape(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string';
  } catch {
    return false;
  }
}

/** Strings a client should never send, and a few it may. */
const nastyString = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '🙂', "' OR 1=1 --", '"; DROP TABLE inspections; --', '%', '_', '\\', '../../etc/passwd', 'null', 'true', '1e309', '-0', '<script>'),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'h'.repeat(n)),
);
const jsonish = fc.oneof(
  fc.jsonValue(),
  nastyString,
  fc.record({ site: fc.oneof(nastyString, fc.integer(), fc.constant(null)), readings: fc.oneof(fc.integer(), nastyString), extra: fc.jsonValue() }, { requiredKeys: [] }),
  fc.constantFrom({}, [], { id: 'not-a-uuid', site: 'x' }, { site: 'fine' }, { _write_mode: 'replace' }, { deleted_at: '2026-01-01T00:00:00Z' }),
);
const patchOp = fc.record({
  op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'nope', ''),
  path: fc.constantFrom('/site', '/id', '', '/', '/extra/a/b', '/readings', '/-', '/~2', 'site', '/extra/0'),
  from: fc.constantFrom('/site', '/nope', ''),
  value: fc.jsonValue(),
}, { requiredKeys: ['op'] });
const body = fc.oneof(
  { weight: 4, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.array(patchOp, { maxLength: 5 }).map((ops) => JSON.stringify(ops)) },
  { weight: 2, arbitrary: fc.constantFrom('', '{', '{"site":', '[', 'nul', '{"a":1}}', '\u0000', '{"site":"x",}', "{'site':'x'}") },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 20_000 }).map((depth) => `{"site":"x","extra":${nestedJson(depth)}}`) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)) },
  { weight: 1, arbitrary: fc.constantFrom('{"site":"a\\u0000"}', '{"site":"\\ud800"}', '{"extra":{"k\\udc00":1}}', '{"email":"a\\u0000","password":"x"}') },
);
const contentType = fc.constantFrom('application/json', 'application/json', 'application/json-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/json; charset=latin1', '');
const idParam = (ids: string[]) => fc.oneof(fc.constantFrom(...ids), fc.constantFrom('abc', '%00', 'a%00b', '%ED%A0%80', '%F0%9F%99%82', '..', '%2e%2e', '-1', '0', '1e3', 'x'.repeat(400)), fc.uuid());
const nameParam = fc.constantFrom('nope', 'tag', '%00', '_admin', '_meta', 'x'.repeat(200), 'Inspection', 'a-b');
const entityParam = fc.constantFrom('inspection', 'inspection', 'tag', 'nope', '_admin', '_meta', '_link_x', '%00', 'INSPECTION');
const appParam = fc.constantFrom('main', 'main', 'main', 'nope', '_platform', '%00', 'MAIN');
const queryPart = fc.constantFrom(
  'filter[site]=%00', 'filter[site]=%27%20OR%201%3D1', 'filter[site.like]=%25', 'filter[nope]=1', 'filter[site.nope]=1', 'filter[readings.gt]=abc',
  'filter[site.in]=', 'filter[site.in]=a,b,%00', 'filter[extra]=%7B', 'filter[extra]=%22%5Cud800%22', 'filter[due_on]=2026-02-31', 'filter[inspected_at.gte]=yesterday',
  'filter=1', 'filter[]=1', 'filter[site][x]=1', 'sort=-site', 'sort=site;drop', 'sort=nope', 'sort=', 'sort=--site', 'include=nope', 'include=',
  'page=0', 'page=-1', 'page=abc', 'page=99999999999999999999', 'per_page=abc', 'per_page=0', 'per_page=1000000', 'min_position=abc', 'min_position=-1',
  'version=0', 'version=abc', 'time=2026-02-31', 'time=nope', 'from_version=-1', 'limit=abc', 'format=pdf', 'format=svg', 'entity=nope', 'entity=%00', 'device=%00', 'cursor=%00', 'after=abc',
);
const query = fc.oneof(fc.constant(''), fc.array(queryPart, { minLength: 1, maxLength: 4 }).map((parts) => `?${parts.join('&')}`));
const headerPair = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['If-Match', 'abc'], ['If-Match', '"-1"'], ['If-Match', '"99999999999"'], ['If-Match', '"1"'], ['If-Match', 'W/"x"'],
    ['X-Takes-Submit-Ts', '2026-02-31T10:00:00Z'], ['X-Takes-Submit-Ts', 'yesterday'], ['X-Takes-Branch-Ts', '1970-01-01T00:00:00Z'], ['X-Takes-Branch-Ts', '9999-12-31T23:59:59Z'],
    ['X-Takes-Branch-Ts', '2026-01-01T24:00:00Z'], ['X-Takes-Device', 'd'.repeat(5000)], ['X-Takes-Device', 'ÿþ'], ['X-Takes-Parent', 'p'.repeat(500)], ['X-Takes-Parent', 'unknown-parent'],
    ['Idempotency-Key', 'k'.repeat(300)], ['Idempotency-Key', ''], ['X-Takes-Min-Position', 'abc'], ['X-Takes-Min-Position', '-5'], ['traceparent', 'garbage'], ['Content-Length', 'abc'],
  ),
);
const tokenKind = fc.constantFrom('admin', 'admin', 'admin', 'none', 'garbage', 'foreign', 'expired', 'bearer-empty', 'basic');

interface Context {
  ids: string[];
  tokens: Record<string, string | undefined>;
  routes: { method: string; template: string }[];
}

function hostileRequest(ctx: Context): fc.Arbitrary<Hostile & { refusedOnly: boolean }> {
  return fc
    .record({
      route: fc.constantFrom(...ctx.routes),
      app: appParam,
      entity: entityParam,
      id: idParam(ctx.ids),
      name: nameParam,
      query,
      headers: fc.array(headerPair, { maxLength: 3 }),
      token: tokenKind,
      contentType,
      body: fc.option(body, { freq: 4 }),
      // One request in twenty has a long URL (most over the parser's limits).
      longUrl: fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 80_000 }) }),
    })
    .map(({ route, app, entity, id, name, query: q, headers, token, contentType: type, body: sent, longUrl }) => {
      const path = route.template
        .replace('{app}', app)
        .replace('{entity}', entity)
        .replace('{id}', id)
        .replace('{name}', name);
      const all: Record<string, string> = { 'Idempotency-Key': `hostile-${randomUUID()}` };
      const bearer = ctx.tokens[token];
      if (token === 'bearer-empty') all.Authorization = 'Bearer ';
      else if (token === 'basic') all.Authorization = 'Basic YWRtaW46Y2hhbmdlbWU=';
      else if (bearer) all.Authorization = `Bearer ${bearer}`;
      for (const [header, value] of headers) all[header] = value;
      if (all['Content-Length'] !== undefined) delete all['Content-Length'];
      if (sent !== null && type !== '') all['Content-Type'] = type;
      const url = `${path}${q}${longUrl ? `${q ? '&' : '?'}filter[site]=${'u'.repeat(longUrl)}` : ''}`;
      // A rebuild is a valid admin request whatever its body: only refused ones are sent (no token).
      const refusedOnly = route.template.endsWith('/_admin/rebuild') && route.method === 'POST';
      if (refusedOnly) delete all.Authorization;
      return { method: route.method, path: url, headers: all, body: sent ?? undefined, refusedOnly };
    });
}

/**
 * A valid create of an inspection, as the admin: the store must append it. Only creates,
 * with keys of their own: a hostile DELETE may remove any record it can name (and the
 * admin routes the tag entity: so no tags here).
 */
function validWrite(ctx: Context): fc.Arbitrary<Hostile & { refusedOnly: boolean; valid: true }> {
  const text = fc.string({ minLength: 1, maxLength: 40 });
  return fc.record({ site: text, readings: fc.integer({ min: 0, max: 1_000 }), notes: fc.option(text) }).map((data) => ({
    method: 'POST',
    path: '/api/main/inspection',
    headers: { 'Idempotency-Key': `hostile-${randomUUID()}`, Authorization: `Bearer ${ctx.tokens.admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(data),
    refusedOnly: false,
    valid: true,
  }));
}

describe('hostile input: a few thousand generated requests over every route and a sample over NATS', () => {
  let takes: TakesProcesses;
  const ids: string[] = [];
  let routes: Context['routes'] = [];
  let tokens: Context['tokens'] = {};

  beforeAll(async () => {
    takes = await startTakes('gateway_hostile', { TAKES_RATE_LIMIT: '1000000' });
    const admin = await takes.login();
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: inspectionEntity })).status).toBe(201);
    const tag = { name: 'tag', table: 'tags', primary_key: { field: 'code', type: 'string' }, fields: [{ name: 'code', type: 'string' }, { name: 'label', type: 'string', nullable: true }] };
    expect((await takes.api('POST', '/api/main/_admin/entities', { token: admin, body: tag })).status).toBe(201);
    for (let i = 0; i < 5; i += 1) {
      const created = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: `site ${i}` } });
      ids.push(created.body.data.id as string);
    }
    const docs = await takes.api('GET', '/api/docs');
    routes = Object.entries(docs.body.paths as Record<string, Record<string, unknown>>).flatMap(([template, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), template: template.replace(/\{(\w+)\}/g, (_, p: string) => `{${p === 'name' || p === 'id' || p === 'app' || p === 'entity' ? p : 'name'}}`) })),
    );
    const foreignKey = new TextEncoder().encode('not the gateway secret, not at all, no');
    const claims = { sub: randomUUID(), roles: ['admin'], aud: 'main', iss: 'takes' };
    tokens = {
      admin,
      none: undefined,
      garbage: 'eyJhbGciOiJub25lIn0.e30.',
      foreign: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('15m').sign(foreignKey),
      expired: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(1).setExpirationTime(2).sign(foreignKey),
    };
  }, 120_000);
  afterAll(async () => {
    agent.destroy();
    await takes.close();
  });

  it(`${REQUESTS} generated requests: each a 2xx or a 4xx in the error shape, no 5xx, no drop, nothing appended by a refusal`, async () => {
    const seed = Number(process.env.TAKES_HOSTILE_SEED ?? 20261202);
    const valid = fc.sample(validWrite({ ids, tokens, routes }), { numRuns: REQUESTS / VALID_EVERY, seed });
    const hostiles = fc.sample(hostileRequest({ ids, tokens, routes }), { numRuns: REQUESTS - valid.length, seed });
    // Every VALID_EVERY-th request is a valid write, the others hostile: REQUESTS in all.
    const samples: Array<Hostile & { refusedOnly: boolean; valid?: true }> = [];
    for (let i = 0, v = 0, h = 0; i < REQUESTS; i += 1) samples.push(i % VALID_EVERY === VALID_EVERY - 1 ? valid[v++] : hostiles[h++]);
    const counts = new Map<string, number>();
    const bad: unknown[] = [];
    const refusedKeys: string[] = [];
    const acceptedKeys = new Set<string>();
    const validAccepted: string[] = [];
    const validRefused: unknown[] = [];
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const hostile = samples[next++];
        const answer = await send(takes.baseUrl, hostile);
        const key = hostile.headers['Idempotency-Key'];
        if ('error' in answer) {
          bad.push({ ...hostile, body: hostile.body?.slice(0, 200), path: hostile.path.slice(0, 200), dropped: answer.error });
          continue;
        }
        const bucket = `${Math.floor(answer.status / 100)}xx`;
        counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
        counts.set(String(answer.status), (counts.get(String(answer.status)) ?? 0) + 1);
        const ok = answer.status >= 200 && answer.status < 300 ? !hostile.refusedOnly : answer.status >= 400 && answer.status < 500 && inErrorShape(answer.text);
        if (!ok) bad.push({ method: hostile.method, path: hostile.path.slice(0, 200), headers: hostile.headers, body: hostile.body?.slice(0, 200), status: answer.status, text: answer.text.slice(0, 300) });
        if (answer.status >= 400) refusedKeys.push(key);
        else acceptedKeys.add(key);
        if (hostile.valid && answer.status >= 200 && answer.status < 300) validAccepted.push(key);
        else if (hostile.valid) validRefused.push({ path: hostile.path, body: hostile.body, status: answer.status, text: answer.text.slice(0, 300) });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const appended = await takes.sql<{ command_id: string }>("SELECT DISTINCT command_id FROM event_store.events WHERE command_id LIKE 'hostile-%'");
    const appendedKeys = appended.map((row) => row.command_id);
    const appendedByRefused = appendedKeys.filter((key) => !acceptedKeys.has(key));
    process.stdout.write(
      `hostile HTTP: ${samples.length} requests over ${routes.length} routes (${valid.length} of them valid creates); ` +
        `${[...counts].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}; ${acceptedKeys.size} accepted, ${appended.length} accepted writes appended\n`,
    );
    expect(bad.slice(0, 5)).toEqual([]);
    // The valid creates were all accepted and appended, so the query below finds rows...
    expect(validRefused.slice(0, 5)).toEqual([]);
    expect(validAccepted.length).toBe(valid.length);
    expect(appended.length).toBeGreaterThanOrEqual(valid.length);
    expect(validAccepted.filter((key) => !appendedKeys.includes(key))).toEqual([]);
    // ...and every command id it finds is one of an accepted request: a refused one appended nothing.
    expect(appendedByRefused).toEqual([]);
    expect(refusedKeys.length).toBeGreaterThan(samples.length / 2);
  }, 300_000);

  it(`${NATS_MESSAGES} bad messages over the NATS subjects the services serve: each gets an error reply`, async () => {
    // projector.rebuild is left out: a well-formed one starts a rebuild (its bad payloads are in bad-input.e2e.spec.ts).
    const served = servedSubjects(takes.stream.prefix).filter((subject) => !subject.endsWith('projector.rebuild'));
    const message = fc.record({
      subject: fc.constantFrom(...served),
      payload: fc.oneof(
        jsonish.map((v) => JSON.stringify(v) ?? 'null'),
        fc.constantFrom('', '{', 'nul', '\u0000'),
        fc.integer({ min: 129, max: 10_000 }).map((depth) => nestedJson(depth)),
        fc.record({ v: fc.jsonValue(), app: nastyString, entity: nastyString, entity_id: nastyString, op: nastyString, user: fc.jsonValue(), from_version: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      ),
    });
    const counts = new Map<string, number>();
    const bad: unknown[] = [];
    const before = await takes.recordEventCount();
    for (const { subject, payload } of fc.sample(message, { numRuns: NATS_MESSAGES, seed: 20261202 })) {
      try {
        const reply = JSON.parse(Buffer.from((await takes.stream.nc.request(subject, Buffer.from(payload), { timeout: 10_000 })).data).toString('utf8')) as { data?: unknown; error?: { code: string } };
        const code = reply.error?.code ?? 'data';
        counts.set(code, (counts.get(code) ?? 0) + 1);
        if (reply.error && !['INVALID_PAYLOAD', 'VALIDATION_FAILED', 'NOT_FOUND', 'UNKNOWN_ENTITY', 'FORBIDDEN', 'CONFLICT'].includes(reply.error.code)) bad.push({ subject, payload: payload.slice(0, 200), reply });
      } catch (error) {
        bad.push({ subject, payload: payload.slice(0, 200), noReply: (error as Error).message });
      }
    }
    process.stdout.write(`hostile NATS: ${NATS_MESSAGES} messages over ${served.length} subjects; ${[...counts].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}\n`);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(await takes.recordEventCount()).toBe(before);
  }, 120_000);

  it('the services are healthy after: /health and /ready of each, and a write then a read', async () => {
    for (const service of [takes.store, takes.projector, takes.gateway]) {
      expect(service.child.exitCode).toBeNull();
      for (const path of ['/health', '/ready']) {
        const answer = await fetch(`http://127.0.0.1:${service.httpPort}${path}`);
        expect({ service: service.name, path, status: answer.status }).toEqual({ service: service.name, path, status: 200 });
      }
    }
    const admin = await takes.login();
    const created = await takes.api('POST', '/api/main/inspection', { token: admin, body: { site: 'after the storm' } });
    expect(created.status).toBe(201);
    expect(await takes.api('GET', `/api/main/inspection/${created.body.data.id}`, { token: admin })).toMatchObject({ status: 200, body: { data: { site: 'after the storm' } } });
  });
});
