import { randomUUID } from 'node:crypto';
import { eventually, startTakes, type TakesProcesses } from '@takes/testing';

const entities = [
  { name: 'invoice', table: 'invoices', soft_delete: true, fields: [{ name: 'id', type: 'uuid' }, { name: 'number', type: 'string' }, { name: 'status', type: 'string', nullable: true }] },
  {
    name: 'item',
    table: 'items',
    soft_delete: true,
    fields: [
      { name: 'id', type: 'uuid' },
      { name: 'invoice_id', type: 'uuid', required: true },
      { name: 'description', type: 'string', required: true },
      { name: 'quantity', type: 'int', nullable: true },
      { name: 'sku', type: 'string', unique: true, nullable: true },
    ],
  },
  {
    name: 'tax_line',
    table: 'tax_lines',
    primary_key: { field: 'id', type: 'int', generated: true },
    fields: [{ name: 'id', type: 'int' }, { name: 'item_id', type: 'uuid', required: true }, { name: 'tax_type', type: 'string', required: true }, { name: 'rate', type: 'decimal', precision: 2 }],
  },
  { name: 'tag', table: 'tags', fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string' }] },
];
const relations = [
  { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', target_key: 'invoice_id' },
  { name: 'tax_lines', type: 'one_to_many', source: 'item', target: 'tax_line', target_key: 'item_id' },
  { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id' },
];

type Item = { id: string; invoice_id: string; description: string; quantity: number | null; tax_lines?: { id: number; item_id: string; tax_type: string; rate: number }[] };

describe('nested writes over HTTP (Rocket _write_mode diff | replace | append, many_to_many links)', () => {
  let takes: TakesProcesses;
  let token: string;
  const tags: string[] = [];

  beforeAll(async () => {
    takes = await startTakes('nested_e2e');
    token = await takes.login();
    for (const entity of entities) expect((await takes.api('POST', '/api/main/_admin/entities', { token, body: entity })).status).toBe(201);
    for (const relation of relations) expect((await takes.api('POST', '/api/main/_admin/relations', { token, body: relation })).status).toBe(201);
    for (const label of ['urgent', 'gas', 'north']) {
      const r = await takes.api('POST', '/api/main/tag', { token, body: { label } });
      expect(r.status).toBe(201);
      tags.push(r.body.data.id);
    }
  });
  afterAll(() => takes?.close());

  const invoiceWith = async (id: string, include = 'items,tags') => {
    const r = await takes.api('GET', `/api/main/invoice/${id}?include=${include}`, { token });
    expect(r.status).toBe(200);
    return r.body.data as { id: string; number: string; status?: string | null; items: Item[]; tags: { id: string; label: string }[] };
  };
  const itemsOf = async (id: string) => (await invoiceWith(id)).items.map((i) => [i.description, i.quantity]).sort();
  const tagsOf = async (id: string) => (await invoiceWith(id)).tags.map((t) => t.id).sort();

  describe('one invoice through every mode', () => {
    const invoiceId = randomUUID();
    const keptItem = randomUUID();
    let created: { status: number; body: any; headers: Headers };
    let commandId: string;

    it('creates the invoice, its items, their tax lines (depth 2) and its tags in one command', async () => {
      created = await takes.api('POST', '/api/main/invoice', {
        token,
        body: {
          id: invoiceId,
          number: 'INV-001',
          items: {
            _write_mode: 'diff',
            data: [
              { id: keptItem, description: 'Widget A', quantity: 10, tax_lines: { _write_mode: 'replace', data: [{ tax_type: 'GST', rate: 0.18 }, { tax_type: 'CESS', rate: 0.01 }] } },
              { description: 'Widget B', quantity: 2 },
            ],
          },
          tags: { _write_mode: 'replace', data: [{ id: tags[0] }, { id: tags[1] }] },
        },
      });
      expect(created.status).toBe(201);
      commandId = created.body.meta.command_id;
      expect(created.body.data).toEqual({ id: invoiceId, number: 'INV-001', status: null, deleted_at: null });
      // invoice + 2 items + 2 tax lines + 2 links
      expect(created.body.meta.related.map((r: { path: string; entity: string }) => [r.path, r.entity])).toEqual([
        ['items[0]', 'item'],
        ['items[0].tax_lines[0]', 'tax_line'],
        ['items[0].tax_lines[1]', 'tax_line'],
        ['items[1]', 'item'],
        ['tags', '_link_tags'],
        ['tags', '_link_tags'],
      ]);

      const invoice = await invoiceWith(invoiceId);
      expect(invoice.items.map((i) => [i.description, i.quantity, i.invoice_id]).sort()).toEqual([
        ['Widget A', 10, invoiceId],
        ['Widget B', 2, invoiceId],
      ]);
      expect(invoice.tags.map((t) => t.label).sort()).toEqual(['gas', 'urgent']);
      const item = await takes.api('GET', `/api/main/item/${keptItem}?include=tax_lines`, { token });
      expect(item.body.data.tax_lines.map((t: { tax_type: string; rate: number; item_id: string; id: number }) => [t.tax_type, t.rate, t.item_id, typeof t.id]).sort()).toEqual([
        ['CESS', 0.01, keptItem, 'number'],
        ['GST', 0.18, keptItem, 'number'],
      ]);
    });

    it('each record got its own events, every one with the command id, at consecutive positions of one commit', async () => {
      const records = [['invoice', invoiceId], ...created.body.meta.related.filter((r: { entity: string }) => !r.entity.startsWith('_link')).map((r: { entity: string; id: string }) => [r.entity, r.id])];
      const events = [];
      for (const [entity, id] of records) {
        const r = await takes.api('GET', `/api/main/${entity}/${encodeURIComponent(String(id))}/events`, { token });
        expect(r.status).toBe(200);
        events.push(...r.body.data);
      }
      const stored = await takes.sql<{ id: string; position: string; command_id: string; commit_ts: Date }>(
        'SELECT id, position, command_id, commit_ts FROM event_store.events WHERE command_id = $1 ORDER BY position',
        [commandId],
      );
      expect(stored).toHaveLength(7);
      expect(new Set(stored.map((e) => e.id)).size).toBe(7);
      const positions = stored.map((e) => Number(e.position));
      expect(positions).toEqual(positions.map((_, i) => positions[0] + i));
      expect(events.every((e: { command_id: string }) => e.command_id === commandId)).toBe(true);
      expect(Number(created.headers.get('x-takes-position'))).toBe(positions[6]);
    });

    it('diff: updates the rows it names, creates rows without a key, deletes rows marked _delete, leaves the rest', async () => {
      const invoice = await invoiceWith(invoiceId);
      const widgetB = invoice.items.find((i) => i.description === 'Widget B')!;
      const put = await takes.api('PUT', `/api/main/invoice/${invoiceId}`, {
        token,
        body: {
          status: 'sent',
          items: { data: [{ id: keptItem, quantity: 11 }, { description: 'Widget C' }, { id: widgetB.id, _delete: true }] },
          tags: { _write_mode: 'diff', data: [{ id: tags[2] }] },
        },
      });
      expect(put.status).toBe(200);
      expect(put.body.data.status).toBe('sent');
      expect(await itemsOf(invoiceId)).toEqual([['Widget A', 11], ['Widget C', null]]);
      expect(await tagsOf(invoiceId)).toEqual([...tags].sort());
      const deleted = await takes.api('GET', `/api/main/item/${widgetB.id}`, { token });
      expect(deleted.status).toBe(404);
    });

    it('replace: the rows and links sent are the whole truth; others are deleted and unlinked', async () => {
      const put = await takes.api('PUT', `/api/main/invoice/${invoiceId}`, {
        token,
        body: { items: { _write_mode: 'replace', data: [{ id: keptItem, description: 'Widget A+' }] }, tags: { _write_mode: 'replace', data: [{ id: tags[1] }] } },
      });
      expect(put.status).toBe(200);
      expect(await itemsOf(invoiceId)).toEqual([['Widget A+', 11]]);
      expect(await tagsOf(invoiceId)).toEqual([tags[1]]);
      // The tax lines of the kept item were not part of the write: they stay.
      const item = await takes.api('GET', `/api/main/item/${keptItem}?include=tax_lines`, { token });
      expect(item.body.data.tax_lines).toHaveLength(2);
      // An unlinked pair is a tombstone row of the join table, not a live one.
      const joinRows = await takes.sql<{ tag_id: string; _deleted: boolean }>('SELECT tag_id::text, _deleted FROM app_main.invoice_tags WHERE invoice_id = $1 ORDER BY tag_id', [invoiceId]);
      expect(joinRows.filter((r) => !r._deleted).map((r) => r.tag_id)).toEqual([tags[1]]);
      expect(joinRows).toHaveLength(3);
    });

    it('diff links again a target unlinked before (its link record is restored) and unlinks with _delete', async () => {
      const put = await takes.api('PUT', `/api/main/invoice/${invoiceId}`, {
        token,
        body: { tags: { _write_mode: 'diff', data: [{ id: tags[0] }, { id: tags[1], _delete: true }] } },
      });
      expect(put.status).toBe(200);
      expect(put.body.meta.related.map((r: { entity: string; version: number; deleted: boolean }) => [r.entity, r.version, r.deleted]).sort()).toEqual([
        ['_link_tags', 2, true], // tags[1]: linked at create (v1), unlinked now
        ['_link_tags', 3, false], // tags[0]: linked (v1), unlinked by replace (v2), restored now
      ].sort());
      expect(await tagsOf(invoiceId)).toEqual([tags[0]]);
    });

    it('append: only adds; rows it names are left as they are', async () => {
      const put = await takes.api('PUT', `/api/main/invoice/${invoiceId}`, {
        token,
        body: { items: { _write_mode: 'append', data: [{ id: keptItem, description: 'ignored', quantity: 999 }, { description: 'Widget D', quantity: 4 }] } },
      });
      expect(put.status).toBe(200);
      expect(await itemsOf(invoiceId)).toEqual([['Widget A+', 11], ['Widget D', 4]]);
    });
  });

  describe('all or nothing', () => {
    it('a row that fails validation refuses the whole write with the row path; nothing is written', async () => {
      const id = randomUUID();
      const before = await takes.recordEventCount();
      const r = await takes.api('POST', '/api/main/invoice', {
        token,
        body: {
          id,
          number: 'INV-BAD',
          items: { data: [{ description: 'fine', tax_lines: { data: [{ rate: 1 }] } }, { description: 'bad', quantity: 'many' }, { quantity: 1 }] },
        },
      });
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.details.map((d: { field: string; rule: string }) => [d.field, d.rule])).toEqual(
        [['items[0].tax_lines[0].tax_type', 'required'], ['items[1].quantity', 'type'], ['items[2].description', 'required']],
      );
      expect(await takes.recordEventCount()).toBe(before);
      expect((await takes.api('GET', `/api/main/invoice/${id}`, { token })).status).toBe(404);
    });

    it('a row the event store refuses (a unique value taken) refuses the parent and the other rows too', async () => {
      const first = await takes.api('POST', '/api/main/invoice', { token, body: { number: 'INV-SKU', items: { data: [{ description: 'has sku', sku: 'SKU-1' }] } } });
      expect(first.status).toBe(201);
      const id = first.body.data.id;
      const before = await takes.recordEventCount();
      const r = await takes.api('PUT', `/api/main/invoice/${id}`, {
        token,
        body: { status: 'changed', items: { data: [{ description: 'new row' }, { description: 'same sku', sku: 'SKU-1' }] } },
      });
      expect(r.status).toBe(409);
      expect(r.body.error.details).toEqual([expect.objectContaining({ field: 'items[1].sku', rule: 'unique' })]);
      expect(await takes.recordEventCount()).toBe(before);
      const invoice = await invoiceWith(id);
      expect(invoice.status ?? null).toBeNull();
      expect(invoice.items.map((i) => i.description)).toEqual(['has sku']);
    });

    it('bad nested input is a clear 4xx: foreign key of another parent, _delete in append, unknown mode, unknown tag, not a child', async () => {
      const other = randomUUID();
      const cases: [object, string, string][] = [
        [{ items: { data: [{ description: 'x', invoice_id: other }] } }, 'items[0].invoice_id', 'foreign_key'],
        [{ items: { _write_mode: 'append', data: [{ id: randomUUID(), _delete: true }] } }, 'items[0]._delete', 'write_mode'],
        [{ items: { _write_mode: 'merge', data: [] } }, 'items._write_mode', 'enum'],
        [{ items: [{ description: 'x' }] }, 'items', 'nested_write'],
        [{ tags: { data: [{ id: randomUUID() }] } }, 'tags', 'not_found'],
      ];
      for (const [nested, field, rule] of cases) {
        const r = await takes.api('POST', '/api/main/invoice', { token, body: { number: 'INV-X', ...nested } });
        expect([r.status, r.body.error?.details?.map((d: { field: string; rule: string }) => [d.field, d.rule])]).toEqual([422, [[field, rule]]]);
      }
      const a = await takes.api('POST', '/api/main/invoice', { token, body: { number: 'A', items: { data: [{ description: 'a row' }] } } });
      const rowOfA = a.body.meta.related[0].id;
      const b = await takes.api('POST', '/api/main/invoice', { token, body: { number: 'B' } });
      const steal = await takes.api('PUT', `/api/main/invoice/${b.body.data.id}`, { token, body: { items: { data: [{ id: rowOfA, quantity: 5 }] } } });
      expect(steal.status).toBe(422);
      expect(steal.body.error.details).toEqual([expect.objectContaining({ field: 'items[0]', rule: 'not_a_child' })]);
    });
  });

  it('a nested create with client-made keys resent with its Idempotency-Key answers the first result, though its rows now exist', async () => {
    const key = randomUUID();
    const body = { id: randomUUID(), number: 'INV-OFFLINE', items: { data: [{ id: randomUUID(), description: 'made offline' }] }, tags: { data: [{ id: tags[0] }] } };
    const first = await takes.api('POST', '/api/main/invoice', { token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    // Another write, so the read tables have moved on past the first one.
    await takes.api('POST', '/api/main/tag', { token, body: { label: 'later' } });
    const before = await takes.recordEventCount();
    const again = await takes.api('POST', '/api/main/invoice', { token, body, headers: { 'Idempotency-Key': key } });
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect(await takes.recordEventCount()).toBe(before);
  });

  it('keys out of their type\'s range are a 422, not a server error', async () => {
    const r = await takes.api('POST', '/api/main/invoice', { token, body: { number: 'INV-RANGE', items: { data: [{ description: 'x', tax_lines: { data: [{ id: 3_000_000_000, tax_type: 'GST' }] } }] } } });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toEqual([expect.objectContaining({ field: 'items[0].tax_lines[0].id' })]);
    const put = await takes.api('PUT', '/api/main/tax_line/99999999999', { token, body: { tax_type: 'x' } });
    expect(put.status).toBeLessThan(500);
  });

  it('one table per entity and per join table, and a many_to_many keeps its join table and keys', async () => {
    const entity = await takes.api('POST', '/api/main/_admin/entities', { token, body: { name: 'clash', table: 'invoice_tags', fields: [{ name: 'id', type: 'uuid' }] } });
    expect([entity.status, entity.body.error?.details]).toEqual([422, [expect.objectContaining({ field: 'table', rule: 'conflict' })]]);
    const relation = await takes.api('POST', '/api/main/_admin/relations', {
      token,
      body: { name: 'labels', type: 'many_to_many', source: 'invoice', target: 'tag', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id' },
    });
    expect([relation.status, relation.body.error?.details]).toEqual([422, [expect.objectContaining({ field: 'join_table', rule: 'conflict' })]]);
    const moved = await takes.api('PUT', '/api/main/_admin/relations/tags', { token, body: { ...relations[2], join_table: 'invoice_tags_2' } });
    expect([moved.status, moved.body.error?.details]).toEqual([422, [expect.objectContaining({ field: 'join_table', rule: 'immutable' })]]);
    const sameShape = await takes.api('PUT', '/api/main/_admin/relations/tags', { token, body: { ...relations[2], write_mode: 'replace' } });
    expect(sameShape.status).toBe(200);
    await takes.api('PUT', '/api/main/_admin/relations/tags', { token, body: relations[2] });
  });

  it('a nested create resent with its Idempotency-Key answers the first result (same generated keys) and writes nothing twice', async () => {
    const key = randomUUID();
    const body = { number: 'INV-RETRY', items: { data: [{ description: 'one', tax_lines: { data: [{ tax_type: 'GST' }] } }, { description: 'two' }] }, tags: { data: [{ id: tags[2] }] } };
    const first = await takes.api('POST', '/api/main/invoice', { token, body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    const before = await takes.recordEventCount();
    const again = await takes.api('POST', '/api/main/invoice', { token, body, headers: { 'Idempotency-Key': key } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await takes.recordEventCount()).toBe(before);
    const other = await takes.api('POST', '/api/main/invoice', { token, body: { ...body, number: 'INV-OTHER' }, headers: { 'Idempotency-Key': key } });
    expect(other.status).toBe(422);
  });

  it("a rebuild of the app rebuilds the join table from the link records, to the same rows", async () => {
    const joinRows = () =>
      takes.sql<{ invoice_id: string; tag_id: string; _deleted: boolean; _version: number }>(
        'SELECT invoice_id::text, tag_id::text, _deleted, _version FROM app_main.invoice_tags ORDER BY invoice_id, tag_id',
      );
    const before = await joinRows();
    expect(before.length).toBeGreaterThan(3);
    const oid = async () => (await takes.sql<{ oid: string }>("SELECT 'app_main.invoice_tags'::regclass::oid::text AS oid"))[0].oid;
    const oidBefore = await oid();
    const started = await takes.api('POST', '/api/main/_admin/rebuild', { token, body: {} });
    expect(started.status).toBe(202);
    expect(started.body.data.entities).toEqual(expect.arrayContaining(['invoice', 'item', 'tax_line', 'tag', '_link_tags']));
    await eventually(async () => {
      const r = await takes.api('GET', '/api/main/_admin/rebuild', { token });
      expect(r.body.data.state).toBe('done');
    }, 60_000, 100);
    expect(await oid()).not.toBe(oidBefore);
    expect(await joinRows()).toEqual(before);
  });
});
