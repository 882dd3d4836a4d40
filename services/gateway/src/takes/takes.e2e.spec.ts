import { randomUUID } from 'node:crypto';
import { unzipTime, type FieldHistory, type PriorEvent } from '@takes/merge';
import type { TakesEvent, PatchOperation } from '@takes/contracts';
import { applyOperations } from '@takes/decide';
import { clockPast, eventually, startTakes, type TakesProcesses } from '@takes/testing';

const fields = [{ name: 'id', type: 'uuid' }, { name: 'x', type: 'string', nullable: true }, { name: 'y', type: 'string', nullable: true }, { name: 'z', type: 'string', nullable: true }];
const entity = (name: string, extra: object = {}) => ({ name, table: `${name}s`, fields, ...extra });

describe('offline merge and the takes (all services as processes)', () => {
  let takes: TakesProcesses;
  let token: string;

  beforeAll(async () => {
    takes = await startTakes('takes_e2e', { TAKES_RATE_LIMIT: '100000' });
    token = await takes.login();
    for (const e of [entity('inspection'), entity('chained', { merge_policy: 'longest-chain' }), entity('strict', { merge_policy: 'reject' }), entity('log', { history: false, stale_write: 'overwrite' })]) {
      expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: e })).status).toBe(201);
    }
  });
  afterAll(() => takes.close());

  /** A record at version 3: created, then two edits. */
  async function recordAtV3(name: string): Promise<string> {
    const id = randomUUID();
    await takes.api('POST', `/api/main/${name}`, { token, body: { id, x: 'x0', y: 'y0', z: 'z0' } });
    await takes.api('PUT', `/api/main/${name}/${id}`, { token, body: { x: 'x1' } });
    const v3 = await takes.api('PUT', `/api/main/${name}/${id}`, { token, body: { z: 'z1' } });
    expect(v3.body.meta.version).toBe(3);
    return id;
  }

  /** When the record's last event was written (a device that took it then branches from there). */
  async function lastCommit(name: string, id: string): Promise<number> {
    return Date.parse((await events(name, id)).pop()!.commit_ts);
  }

  /**
   * Device A's time offline: 5 chained edits of x and y, based on version 3 (taken when it
   * was written, so no branch time is sent), submitted one after another between `from`
   * and `until`.
   */
  function deviceAOffline(name: string, id: string, from: number, until: number) {
    const values = [{ x: 'a-x1' }, { y: 'a-y1' }, { x: 'a-x2' }, { y: 'a-y2' }, { x: 'a-x3' }];
    const step = (until - from) / (values.length + 1);
    return values.map((data, k) => ({
      command_id: `A-${id}-${k}`,
      ...(k > 0 ? { parent: `A-${id}-${k - 1}` } : {}),
      entity: name, id, op: 'put', base_version: 3, data,
      submit_ts: new Date(from + (k + 1) * step).toISOString(),
      device: 'tablet-A',
    }));
  }

  async function events(name: string, id: string): Promise<TakesEvent[]> {
    const all: TakesEvent[] = [];
    for (let from: number | null = 1; from !== null; ) {
      const page: { body: { data: TakesEvent[]; meta: { next_version: number | null } } } = await takes.api("GET", `/api/main/${name}/${id}/events?from_version=${from}&limit=1000`, { token });
      all.push(...page.body.data);
      from = page.body.meta.next_version;
    }
    return all;
  }

  /** The read table and /at agree with the events at every version. */
  async function expectViewsAgree(name: string, id: string) {
    const all = await events(name, id);
    let state: Record<string, unknown> = {};
    for (const event of all) {
      state = event.type === 'created' ? applyOperations({}, event.patch as PatchOperation[]) : applyOperations(state, event.patch as PatchOperation[]);
      const at = await takes.api('GET', `/api/main/${name}/${id}/at?version=${event.version}`, { token });
      expect({ version: event.version, state: at.body.data }).toEqual({ version: event.version, state: { ...state } });
    }
    const read = await takes.api('GET', `/api/main/${name}/${id}`, { token });
    expect(read.body.data).toEqual(state);
    const [row] = await takes.sql<{ state: unknown; version: number }>(`SELECT _state AS state, _version AS version FROM app_main.${name}s WHERE id = $1`, [id]);
    expect(row).toEqual({ state, version: all[all.length - 1].version });
  }

  it('the seed story: x from A, z from B, y from the later submit and contested, both y values in the history, a reviewer picks the other', async () => {
    const id = await recordAtV3('inspection');
    const v3At = await lastCommit('inspection', id);
    await clockPast(v3At + 20);
    // Device B edits y and z and syncs first (submitted now).
    const b = await takes.api('PUT', `/api/main/inspection/${id}`, { token, body: { y: 'b-y', z: 'b-z' }, headers: { 'If-Match': '"3"', 'X-Takes-Device': 'phone-B' } });
    expect(b.body.meta).toMatchObject({ outcome: 'applied', version: 4 });
    // Device A comes back and syncs its 5 edits, all saved before B's.
    const synced = await takes.api('POST', '/api/main/_sync', { token, body: { edits: deviceAOffline('inspection', id, v3At, await lastCommit('inspection', id)) } });
    expect(synced.body.data.map((r: { outcome: string }) => r.outcome)).toEqual(['merged', 'merged', 'merged', 'merged', 'merged']);
    const record = (await takes.api('GET', `/api/main/inspection/${id}`, { token })).body.data;
    expect(record).toMatchObject({ x: 'a-x3', y: 'b-y', z: 'b-z' });
    const contested = synced.body.data.flatMap((r: { contested: string[] }) => r.contested);
    expect(contested).toContain('/y');
    expect(contested).not.toContain('/x');

    const history: FieldHistory[] = (await takes.api('GET', `/api/main/inspection/${id}/history`, { token })).body.data;
    const y = history.find((h) => h.field === '/y')!;
    expect(y.contested).toBe(true);
    const yValues = y.takes.map((t) => t.value);
    expect(yValues).toEqual(expect.arrayContaining(['y0', 'b-y', 'a-y1', 'a-y2']));
    expect(y.takes.find((t) => t.current)?.value).toBe('b-y');

    const queue = await takes.api('GET', '/api/main/_conflicts?entity=inspection', { token });
    expect(queue.body.data.find((r: { id: string }) => r.id === id)).toMatchObject({ fields: ['/y'] });
    expect((await takes.api('GET', '/api/main/_conflicts?device=nobody', { token })).body.data).toEqual([]);

    const aY = y.takes.find((t) => t.value === 'a-y2')!;
    const picked = await takes.api('POST', `/api/main/inspection/${id}/resolve`, { token, body: { field: 'y', take: aY.event_id } });
    expect(picked.status).toBe(200);
    expect(picked.body.data).toMatchObject({ y: 'a-y2', x: 'a-x3', z: 'b-z' });
    const after: FieldHistory[] = (await takes.api('GET', `/api/main/inspection/${id}/history`, { token })).body.data;
    expect(after.find((h) => h.field === '/y')!.takes.find((t) => t.current)).toMatchObject({ value: 'a-y2', picked: true });
    const queueAfter = await takes.api('GET', '/api/main/_conflicts?entity=inspection', { token });
    expect(queueAfter.body.data.find((r: { id: string }) => r.id === id)).toBeUndefined();

    const graph = await takes.api('GET', `/api/main/inspection/${id}/graph`, { token });
    expect(graph.body.data.nodes).toHaveLength((await events('inspection', id)).length);
    expect(graph.body.data.edges.some((e: { kind: string }) => e.kind === 'base')).toBe(true);
    const svg = await fetch(`${takes.baseUrl}/api/main/inspection/${id}/graph?format=svg`, { headers: { authorization: `Bearer ${token}` } });
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg[\s\S]*<circle[\s\S]*<\/svg>$/);

    await expectViewsAgree('inspection', id);
  });

  it('longest-chain: A\'s chain of 5 is longer than the main line (1) and wins whole; reject: 409 with the diff', async () => {
    const id = await recordAtV3('chained');
    const v3At = await lastCommit('chained', id);
    await clockPast(v3At + 20);
    await takes.api('PUT', `/api/main/chained/${id}`, { token, body: { y: 'b-y', z: 'b-z' }, headers: { 'If-Match': '"3"', 'X-Takes-Device': 'phone-B' } });
    const synced = await takes.api('POST', '/api/main/_sync', { token, body: { edits: deviceAOffline('chained', id, v3At, await lastCommit('chained', id)) } });
    expect(synced.body.data.every((r: { outcome: string }) => r.outcome !== 'rejected')).toBe(true);
    const record = (await takes.api('GET', `/api/main/chained/${id}`, { token })).body.data;
    expect(record).toMatchObject({ x: 'a-x3', y: 'a-y2' });
    await expectViewsAgree('chained', id);

    const strictId = await recordAtV3('strict');
    await takes.api('PUT', `/api/main/strict/${strictId}`, { token, body: { y: 'b-y' }, headers: { 'If-Match': '"3"' } });
    const stale = await takes.api('PUT', `/api/main/strict/${strictId}`, { token, body: { y: 'a-y' }, headers: { 'If-Match': '"3"' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'CONFLICT', details: { version: 4, current: { y: 'b-y' } } });
    expect(stale.body.error.details.diff).toEqual(expect.arrayContaining([{ op: 'replace', path: '/y', value: 'b-y' }]));
  });

  it('history off with overwrite: the stale write wins and a lost_update event carries the overwritten value', async () => {
    const id = await recordAtV3('log');
    await takes.api('PUT', `/api/main/log/${id}`, { token, body: { y: 'b-y' }, headers: { 'If-Match': '"3"' } });
    const over = await takes.api('PUT', `/api/main/log/${id}`, { token, body: { y: 'a-y' }, headers: { 'If-Match': '"3"' } });
    expect(over.status).toBe(200);
    expect(over.body.data.y).toBe('a-y');
    const last = (await events('log', id)).pop()!;
    expect(last).toMatchObject({ type: 'lost_update', overwritten: { '/y': 'b-y' } });
    await eventually(async () => {
      const messages = await takes.stream.messages();
      expect(messages.some((m) => m.subject.endsWith('evt.main.log.lost_update'))).toBe(true);
    }, 5_000);
  });

  it('a delete on one device while another edits offline: an edit submitted after the delete restores the record, one before is shelved', async () => {
    for (const after of [true, false]) {
      const id = await recordAtV3('inspection');
      const v3At = await lastCommit('inspection', id);
      await clockPast(v3At + 20);
      await takes.api('DELETE', `/api/main/inspection/${id}`, { token, headers: { 'If-Match': '"3"' } });
      const deletedAt = await lastCommit('inspection', id);
      await clockPast(deletedAt + 5);
      // Saved offline on version 3 (taken when it was written): after the delete, or between version 3 and the delete.
      const submit = new Date(after ? Date.now() : (v3At + deletedAt) / 2).toISOString();
      const edit = await takes.api('POST', '/api/main/_sync', { token, body: { edits: [{ command_id: `del-${id}`, entity: 'inspection', id, op: 'put', base_version: 3, data: { x: 'late' }, submit_ts: submit }] } });
      const result = edit.body.data[0];
      if (after) {
        expect(result.outcome).toBe('merged');
        expect((await takes.api('GET', `/api/main/inspection/${id}`, { token })).body.data.x).toBe('late');
      } else {
        expect(result.outcome).toBe('shelved');
        expect((await takes.api('GET', `/api/main/inspection/${id}`, { token })).status).toBe(404);
        const history: FieldHistory[] = (await takes.api('GET', `/api/main/inspection/${id}/history`, { token })).body.data;
        expect(history.find((h) => h.field === '/x')!.takes.map((t) => t.value)).toContain('late');
      }
    }
  });

  it('a hostile clock (submit_ts in 2099) does not win over a later real edit', async () => {
    const id = await recordAtV3('inspection');
    const hostile = await takes.api('POST', '/api/main/_sync', { token, body: { edits: [{ command_id: `h-${id}`, entity: 'inspection', id, op: 'put', base_version: 3, data: { y: 'from-2099' }, submit_ts: '2099-01-01T00:00:00Z', device: 'bad-clock' }] } });
    expect(hostile.body.data[0].outcome).toBe('applied');
    const ev = (await events('inspection', id)).pop()!;
    expect(Date.parse(ev.submit_ts)).toBeLessThanOrEqual(Date.parse(ev.commit_ts));
    // An honest device, offline from version 3, submits after the hostile write committed.
    await clockPast(ev.commit_ts);
    const honest = await takes.api('PUT', `/api/main/inspection/${id}`, { token, body: { y: 'honest' }, headers: { 'If-Match': '"3"', 'X-Takes-Submit-Ts': new Date().toISOString() } });
    expect(honest.body).toMatchObject({ data: { y: 'honest' }, meta: { outcome: 'merged', contested: ['/y'] } });
  });

  it('50 devices × 20 offline edits on one record, synced concurrently: gapless versions, every value kept, state = the merge replayed', async () => {
    const id = await recordAtV3('inspection');
    const v3At = await lastCommit('inspection', id);
    const fieldsOf = ['x', 'y', 'z'];
    const batches = Array.from({ length: 50 }, (_, d) =>
      Array.from({ length: 20 }, (_, k) => ({
        command_id: `d${d}-${id}-${k}`,
        ...(k > 0 ? { parent: `d${d}-${id}-${k - 1}` } : {}),
        entity: 'inspection', id, op: 'put', base_version: 3,
        data: { [fieldsOf[(d + k) % 3]]: `d${d}-e${k}` },
        submit_ts: new Date(v3At + d * 20 + k).toISOString(),
        device: `device-${d}`,
      })),
    );
    // Each device syncs its batch, and (as a client does) sends again the edits answered
    // UNAVAILABLE: the same command ids make that safe.
    const rejected = await Promise.all(batches.map(async (edits) => {
      let pending = edits;
      for (let round = 0; pending.length > 0 && round < 10; round += 1) {
        const answer = await takes.api('POST', '/api/main/_sync', { token, body: { edits: pending } });
        const unavailable = new Set(answer.body.data.filter((r: { error?: { code: string } }) => r.error?.code === 'UNAVAILABLE').map((r: { command_id: string }) => r.command_id));
        const failed = answer.body.data.filter((r: { outcome: string; error?: { code: string } }) => r.outcome === 'rejected' && r.error?.code !== 'UNAVAILABLE');
        if (failed.length > 0) return failed;
        pending = pending.filter((e) => unavailable.has(e.command_id));
      }
      return pending;
    }));
    expect(rejected.flat()).toEqual([]);
    const all = await events('inspection', id);
    expect(all.map((e) => e.version)).toEqual(Array.from({ length: 3 + 1000 }, (_, i) => i + 1));
    const history: FieldHistory[] = (await takes.api('GET', `/api/main/inspection/${id}/history`, { token })).body.data;
    const offered = new Set(history.flatMap((h) => h.takes.map((t) => t.submitted ?? t.value)));
    for (const edits of batches) for (const e of edits) expect(offered.has(Object.values(e.data)[0])).toBe(true);
    // The pure merge, run again over the same edits in commit order, reaches the same record.
    const byCommand = new Map(batches.flat().map((e) => [e.command_id, e]));
    const v3 = (await takes.api('GET', `/api/main/inspection/${id}/at?version=3`, { token })).body.data as Record<string, unknown>;
    let head = { version: 3, state: v3, deleted: false };
    const base = { ...head };
    const since: PriorEvent[] = [];
    for (const event of all.slice(3)) {
      const edit = byCommand.get(event.command_id)!;
      const decision = unzipTime({
        base, head, since: [...since],
        edit: { command_id: edit.command_id, parent: edit.parent ?? null, device: event.device, submit_ts: event.submit_ts, op: 'put', data: edit.data },
        policy: 'field',
      });
      if (decision.kind !== 'append') throw new Error(`pure merge refused ${edit.command_id}`);
      expect(decision.events.map((e) => e.patch)).toEqual([event.patch]);
      head = decision.next;
      since.push(event);
    }
    // The last submit of each field wins: device 49's edits are the latest.
    const record = (await takes.api('GET', `/api/main/inspection/${id}`, { token })).body.data;
    for (const field of fieldsOf) {
      const latest = batches.flat().filter((e) => field in e.data).sort((a, b) => a.submit_ts.localeCompare(b.submit_ts)).pop()!;
      expect({ field, value: record[field] }).toEqual({ field, value: latest.data[field] });
    }
    await expectViewsAgree('inspection', id);
  });
});
