import type { AppendCommand } from '@takes/contracts';
import { startStoreCluster, type StoreCluster } from '../testing/store-processes';

const admin = { id: 'nats-client', roles: ['admin'] };
let seq = 0;
/** A `_meta` command as a client speaking NATS directly would send it, past the gateway's checks. */
function meta(key: string, op: 'define' | 'remove', data?: Record<string, unknown>): AppendCommand {
  return { v: 1, command_id: `meta-${Date.now()}-${++seq}`, app: 'main', entity: '_meta', entity_id: key, op, ...(data ? { data } : {}), user: admin };
}
const invoice = { name: 'invoice', table: 'invoices', fields: [{ name: 'id', type: 'uuid' }, { name: 'total', type: 'int' }] };
const tag = { name: 'tag', table: 'tags', fields: [{ name: 'id', type: 'uuid' }] };
const tags = { name: 'tags', type: 'many_to_many', source: 'invoice', target: 'tag', join_table: 'invoice_tags', source_join_key: 'invoice_id', target_join_key: 'tag_id' };

describe('the store holds metadata commands sent over NATS to the change checks the gateway makes (two processes)', () => {
  let cluster: StoreCluster;
  const metaEvents = async () => Number((await cluster.sql<{ n: string }>("SELECT count(*) AS n FROM event_store.events WHERE entity = '_meta'"))[0].n);
  const refusedWithNothingAppended = async (command: AppendCommand, detail: { field: string; rule: string }) => {
    const before = await metaEvents();
    const reply = await cluster.send(command);
    expect(reply).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: expect.arrayContaining([expect.objectContaining(detail)]) } });
    expect(await metaEvents()).toBe(before);
  };

  beforeAll(async () => {
    cluster = await startStoreCluster('meta_checks', 2);
    for (const [key, data] of [['entity:invoice', invoice], ['entity:tag', tag], ['relation:tags', tags]] as const) {
      const reply = await cluster.send(meta(key, 'define', data));
      if (!('data' in reply)) throw new Error(`cannot define ${key}: ${JSON.stringify(reply)}`);
    }
  });
  afterAll(() => cluster.close());

  it('refuses an entity whose table another entity or a join table owns', async () => {
    await refusedWithNothingAppended(meta('entity:receipt', 'define', { name: 'receipt', table: 'invoices', fields: [] }), { field: 'table', rule: 'conflict' });
    await refusedWithNothingAppended(meta('entity:receipt', 'define', { name: 'receipt', table: 'invoice_tags', fields: [] }), { field: 'table', rule: 'conflict' });
  });

  it('refuses an entity change entityChanges refuses: a field that changes its type', async () => {
    const retyped = { ...invoice, fields: [{ name: 'id', type: 'uuid' }, { name: 'total', type: 'string' }] };
    await refusedWithNothingAppended(meta('entity:invoice', 'define', retyped), { field: 'fields[1].type', rule: 'immutable' });
  });

  it('refuses a many_to_many relation whose shape changes, also when defined again after its removal', async () => {
    const moved = { ...tags, join_table: 'invoice_tags_2' };
    await refusedWithNothingAppended(meta('relation:tags', 'define', moved), { field: 'join_table', rule: 'immutable' });
    expect(await cluster.send(meta('relation:tags', 'remove'))).toMatchObject({ data: { outcome: 'applied' } });
    await refusedWithNothingAppended(meta('relation:tags', 'define', moved), { field: 'join_table', rule: 'immutable' });
    expect(await cluster.send(meta('relation:tags', 'define', { ...tags, write_mode: 'replace' }))).toMatchObject({ data: { record: { write_mode: 'replace' } } });
  });

  it('refuses a definition not named as its key', async () => {
    await refusedWithNothingAppended(meta('entity:other_name', 'define', { name: 'receipt', fields: [] }), { field: 'name', rule: 'mismatch' });
  });

  it('of many defines sent at once to both processes, each valid alone, that claim one table: exactly one is appended', async () => {
    for (let round = 0; round < 5; round += 1) {
      const table = `contested_${round}`;
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => cluster.send(meta(`entity:claimant_${round}_${i}`, 'define', { name: `claimant_${round}_${i}`, table, fields: [] }))),
      );
      expect(replies.filter((reply) => 'data' in reply)).toHaveLength(1);
      for (const reply of replies.filter((r) => 'error' in r)) expect(reply).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'table', rule: 'conflict' }] } });
      const owners = await cluster.sql("SELECT entity_id FROM event_store.streams WHERE entity = '_meta' AND state->>'table' = $1", [table]);
      expect(owners).toHaveLength(1);
    }
  });
});
