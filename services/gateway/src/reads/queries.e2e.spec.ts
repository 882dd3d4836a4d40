import { randomUUID } from 'node:crypto';
import { startTakes, type TakesProcesses } from '@takes/testing';

const site = { name: 'site', table: 'sites', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }, { name: 'region', type: 'string', enum: ['north', 'south'] }] };
const inspection = {
  name: 'inspection',
  table: 'inspections',
  soft_delete: true,
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site_id', type: 'uuid', nullable: true },
    { name: 'label', type: 'string' },
    { name: 'notes', type: 'text', nullable: true },
    { name: 'readings', type: 'int' },
    { name: 'meter', type: 'bigint' },
    { name: 'pressure', type: 'decimal', precision: 2 },
    { name: 'passed', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'due', type: 'date' },
  ],
};
const relations = [
  { name: 'inspections', type: 'one_to_many', source: 'site', target: 'inspection', source_key: 'id', target_key: 'site_id' },
  { name: 'badge', type: 'one_to_one', source: 'inspection', target: 'site', source_key: 'site_id', target_key: 'id' },
];

type Row = { id: string; site_id: string | null; label: string; readings: number; meter: number; pressure: number; passed: boolean; at: string; due: string; notes: string | null };

describe('list queries over HTTP on the read tables', () => {
  let takes: TakesProcesses;
  let token: string;
  const sites: { id: string; name: string; region: string }[] = [];
  const rows: Row[] = [];

  const ids = async (query: string): Promise<string[]> => {
    const r = await takes.api('GET', `/api/main/inspection?per_page=100&${query}`, { token });
    if (r.status !== 200) throw new Error(`${query}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data.map((x: { id: string }) => x.id).sort();
  };
  const expected = (keep: (row: Row) => boolean) => rows.filter(keep).map((r) => r.id).sort();

  beforeAll(async () => {
    takes = await startTakes('queries_e2e');
    token = await takes.login();
    for (const entity of [site, inspection]) expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: entity })).status).toBe(201);
    for (const relation of relations) expect((await takes.api('POST', '/api/main/_admin/relations', { token, body: relation })).status).toBe(201);
    for (let s = 0; s < 3; s += 1) {
      const body = { id: randomUUID(), name: `site ${s}`, region: s === 2 ? 'south' : 'north' };
      sites.push(body);
      await takes.api('POST', '/api/main/site', { token, body });
    }
    for (let i = 0; i < 12; i += 1) {
      const row: Row = {
        id: randomUUID(),
        site_id: i === 11 ? null : sites[i % 3].id,
        label: `${i % 2 === 0 ? 'pump' : 'valve'} ${i}`,
        notes: i % 4 === 0 ? null : `note ${i}`,
        readings: i * 10,
        meter: 9_000_000_000 + i,
        pressure: 40 + i / 4,
        passed: i % 3 === 0,
        at: new Date(Date.UTC(2026, 10, 1 + i, 8)).toISOString(),
        due: `2026-12-${String(1 + i).padStart(2, '0')}`,
      };
      rows.push(row);
      expect((await takes.api('POST', '/api/main/inspection', { token, body: row })).status).toBe(201);
    }
  });
  afterAll(() => takes.close());

  it('each operator on each field type', async () => {
    const r5 = rows[5];
    expect(await ids(`filter[readings]=50`)).toEqual(expected((r) => r.readings === 50));
    expect(await ids(`filter[readings.neq]=50`)).toEqual(expected((r) => r.readings !== 50));
    expect(await ids(`filter[readings.gt]=50`)).toEqual(expected((r) => r.readings > 50));
    expect(await ids(`filter[readings.gte]=50`)).toEqual(expected((r) => r.readings >= 50));
    expect(await ids(`filter[readings.lt]=50`)).toEqual(expected((r) => r.readings < 50));
    expect(await ids(`filter[readings.lte]=50`)).toEqual(expected((r) => r.readings <= 50));
    expect(await ids(`filter[readings.in]=10,30,999`)).toEqual(expected((r) => [10, 30].includes(r.readings)));
    expect(await ids(`filter[readings.not_in]=10,30`)).toEqual(expected((r) => ![10, 30].includes(r.readings)));
    expect(await ids(`filter[meter.gt]=9000000005`)).toEqual(expected((r) => r.meter > 9_000_000_005));
    expect(await ids(`filter[pressure.lte]=41.25`)).toEqual(expected((r) => r.pressure <= 41.25));
    expect(await ids(`filter[passed]=true`)).toEqual(expected((r) => r.passed));
    expect(await ids(`filter[passed.neq]=true`)).toEqual(expected((r) => !r.passed));
    expect(await ids(`filter[at.gte]=${encodeURIComponent(r5.at)}`)).toEqual(expected((r) => r.at >= r5.at));
    expect(await ids(`filter[due.lt]=2026-12-04`)).toEqual(expected((r) => r.due < '2026-12-04'));
    expect(await ids(`filter[label.like]=pump%25`)).toEqual(expected((r) => r.label.startsWith('pump')));
    expect(await ids(`filter[notes.like]=%25 1%25`)).toEqual(expected((r) => (r.notes ?? '').includes(' 1')));
    expect(await ids(`filter[site_id]=${sites[1].id}`)).toEqual(expected((r) => r.site_id === sites[1].id));
    expect(await ids(`filter[id.in]=${rows[0].id},${rows[1].id}`)).toEqual([rows[0].id, rows[1].id].sort());
    expect(await ids(`filter[readings.gte]=30&filter[passed]=false`)).toEqual(expected((r) => r.readings >= 30 && !r.passed));
  });

  it('sorts on several fields, pages with total and total_pages, and hides deleted rows', async () => {
    const sorted = await takes.api('GET', '/api/main/inspection?sort=-passed,readings&per_page=100', { token });
    const want = [...rows].sort((a, b) => Number(b.passed) - Number(a.passed) || a.readings - b.readings).map((r) => r.id);
    expect(sorted.body.data.map((r: Row) => r.id)).toEqual(want);
    const page2 = await takes.api('GET', '/api/main/inspection?sort=readings&page=2&per_page=5', { token });
    expect(page2.body.meta).toEqual({ page: 2, per_page: 5, total: 12, total_pages: 3 });
    expect(page2.body.data.map((r: Row) => r.readings)).toEqual([50, 60, 70, 80, 90]);
    const past = await takes.api('GET', '/api/main/inspection?page=9&per_page=5', { token });
    expect(past.body).toMatchObject({ data: [], meta: { page: 9, total: 12 } });
    const big = await takes.api('GET', '/api/main/inspection?per_page=5000', { token });
    expect(big.body.meta.per_page).toBe(100);
    await takes.api('DELETE', `/api/main/inspection/${rows[0].id}`, { token });
    const after = await takes.api('GET', '/api/main/inspection?per_page=100', { token });
    expect(after.body.meta.total).toBe(11);
    expect(after.body.data.map((r: Row) => r.id)).not.toContain(rows[0].id);
    await takes.api('POST', `/api/main/inspection/${rows[0].id}/restore`, { token });
  });

  it('includes one_to_many and one_to_one relations with one query each', async () => {
    const withInspections = await takes.api('GET', '/api/main/site?include=inspections&sort=name', { token });
    expect(withInspections.status).toBe(200);
    for (const s of withInspections.body.data) {
      expect(s.inspections.map((i: Row) => i.id).sort()).toEqual(expected((r) => r.site_id === s.id));
    }
    const one = await takes.api('GET', `/api/main/inspection/${rows[4].id}?include=badge`, { token });
    expect(one.body.data.badge).toMatchObject({ id: rows[4].site_id });
    const orphan = await takes.api('GET', `/api/main/inspection/${rows[11].id}?include=badge`, { token });
    expect(orphan.body.data.badge).toBeNull();
  });

  it('unknown fields are 400 UNKNOWN_FIELD; an injection attempt in a value stays a value and in a name is refused', async () => {
    for (const query of ['filter[colour]=red', 'filter[readings.gt]=1&sort=colour', 'include=nothing', 'filter[label;DROP TABLE app_main.inspections]=x', 'sort=-readings,"label"']) {
      const r = await takes.api('GET', `/api/main/inspection?${query}`, { token });
      expect({ query, status: r.status, code: r.body.error?.code }).toEqual({ query, status: 400, code: 'UNKNOWN_FIELD' });
    }
    const injected = await takes.api('GET', `/api/main/inspection?filter[label]=${encodeURIComponent("x' OR '1'='1")}`, { token });
    expect(injected.body).toMatchObject({ data: [], meta: { total: 0 } });
    const bad = await takes.api('GET', '/api/main/inspection?filter[readings.gt]=many', { token });
    expect(bad.body.error.code).toBe('INVALID_PAYLOAD');
    const [{ n }] = await takes.sql<{ n: string }>('SELECT count(*) AS n FROM app_main.inspections');
    expect(Number(n)).toBe(12);
  });
});
