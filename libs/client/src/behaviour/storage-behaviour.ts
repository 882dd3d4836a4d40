import { TakesClient } from '../takes-client';
import type { ClientStorage } from '../storage';
import { check, checkEqual } from './check';

/**
 * Opens the storage under test. Each call after the previous storage was closed must
 * reach the same data, as an app restarted on the same device would.
 */
export type OpenStorage = () => Promise<ClientStorage>;

export interface BehaviourCase {
  name: string;
  run(open: OpenStorage): Promise<void>;
}

/** A client that never goes to the network: what happens on the device alone. */
const offlineClient = (storage: ClientStorage) =>
  TakesClient.open({ baseUrl: 'http://offline.invalid', app: 'main', storage, online: false, pushDelayMs: null, pullIntervalMs: null, watchConnectivity: false });

/**
 * One behaviour suite, run against every storage implementation (memory and file in
 * Jest, IndexedDB in Chromium): the storage contract, and the client on top of it.
 */
export const storageBehaviour: BehaviourCase[] = [
  {
    name: 'keeps values, lists a prefix in key order, deletes',
    async run(open) {
      const storage = await open();
      await storage.write([
        { key: 'outbox/002', value: { n: 2 } },
        { key: 'outbox/001', value: { n: 1, nested: { list: [1, 'two', null] } } },
        { key: 'record/a', value: 'x' },
      ]);
      checkEqual(await storage.get('outbox/001'), { n: 1, nested: { list: [1, 'two', null] } }, 'a value comes back as stored');
      checkEqual((await storage.entries('outbox/')).map(([key]) => key), ['outbox/001', 'outbox/002'], 'a prefix lists in key order');
      await storage.write([{ key: 'outbox/001', delete: true }]);
      checkEqual(await storage.get('outbox/001'), undefined, 'a deleted key is gone');
      checkEqual((await storage.entries('outbox/')).length, 1, 'and is not listed');
      await storage.close();
    },
  },
  {
    name: 'hands out copies: changing what it returned changes nothing stored',
    async run(open) {
      const storage = await open();
      const value = { list: [1] };
      await storage.write([{ key: 'k', value }]);
      value.list.push(2);
      const read = await storage.get<{ list: number[] }>('k');
      checkEqual(read, { list: [1] }, 'a value changed after the write is stored as written');
      read!.list.push(3);
      checkEqual(await storage.get('k'), { list: [1] }, 'a value read and changed is stored as before');
      await storage.close();
    },
  },
  {
    name: 'keeps what was written across a close and a reopen',
    async run(open) {
      const first = await open();
      await first.write([{ key: 'meta/cursor', value: 'cDo0' }, { key: 'outbox/1', value: { a: 1 } }]);
      await first.close();
      const second = await open();
      checkEqual(await second.get('meta/cursor'), 'cDo0', 'the cursor is there after a reopen');
      checkEqual(await second.entries('outbox/'), [['outbox/1', { a: 1 }]], 'and the outbox');
      await second.close();
    },
  },
  {
    name: 'a client reopened on it has its outbox, local state, undo depth and device id',
    async run(open) {
      const first = await offlineClient(await open());
      const handle = await first.create('inspection', { site: 'north', pressure: 41.5 });
      await handle.update({ pressure: 40 });
      await handle.patch([{ op: 'replace', path: '/site', value: 'north 2' }]);
      const device = first.device;
      checkEqual(handle.pending, 3, 'three edits wait');
      await first.close();
      const second = await offlineClient(await open());
      checkEqual(second.device, device, 'the device keeps its id');
      const again = second.record('inspection', handle.id);
      checkEqual(again.pending, 3, 'the outbox is back');
      checkEqual(again.state, { site: 'north 2', pressure: 40 }, 'and the local state, rebuilt from it');
      await second.close();
    },
  },
  {
    name: 'edits of a record chain: one base, each naming the one before; a create has no base',
    async run(open) {
      const client = await offlineClient(await open());
      const handle = await client.create('inspection', { site: 'a' });
      await handle.update({ site: 'b' });
      await handle.update({ site: 'c' });
      const edits = client.pendingOf('inspection', handle.id);
      checkEqual(
        edits.map((e) => [e.op, e.base_version ?? null, e.parent ?? null]),
        [
          ['create', null, null],
          ['put', null, edits[0].command_id],
          ['put', null, edits[1].command_id],
        ],
        'the chain',
      );
      check(new Set(edits.map((e) => e.command_id)).size === 3, 'each edit has its own command id');
      check(edits.every((e) => e.device === client.device && !Number.isNaN(Date.parse(e.submit_ts))), 'each names the device and when it was made');
      await client.close();
    },
  },
  {
    name: 'edits made without waiting for each other still chain in the order they were made',
    async run(open) {
      const client = await offlineClient(await open());
      const handle = await client.create('inspection', { site: 'a' });
      await Promise.all([handle.update({ site: 'b' }), handle.update({ site: 'c' }), handle.update({ site: 'd' })]);
      const edits = client.pendingOf('inspection', handle.id);
      checkEqual(edits.slice(1).map((e) => e.parent), edits.slice(0, -1).map((e) => e.command_id), 'each names the one made before it');
      checkEqual(handle.state?.site, 'd', 'the last one shows');
      await client.close();
    },
  },
  {
    name: 'undo takes back unsent edits (up to the depth), redo makes them again, a new edit ends redo',
    async run(open) {
      const client = await offlineClient(await open());
      const handle = await client.create('inspection', { site: 'a', pressure: 1 });
      for (let p = 2; p <= 13; p += 1) await handle.update({ pressure: p });
      let undone = 0;
      while (await handle.undo()) undone += 1;
      checkEqual(undone, 10, 'ten edits can be taken back (the default depth)');
      checkEqual(handle.state, { site: 'a', pressure: 3 }, 'the state before the last ten');
      check(handle.canRedo && !handle.canUndo, 'redo is possible, undo is not');
      await handle.redo();
      await handle.redo();
      checkEqual(handle.state?.pressure, 5, 'two redone');
      check(handle.canUndo, 'a redone edit can be taken back again');
      await handle.update({ pressure: 99 });
      check(!handle.canRedo, 'a new edit ends redo');
      checkEqual(handle.pending, 1 + 2 + 2 + 1, 'create, two edits under the depth, two redone, one new');
      await client.close();
      const reopened = await offlineClient(await open());
      checkEqual(reopened.get('inspection', handle.id), { site: 'a', pressure: 99 }, 'an undone edit stays undone after a restart');
      await reopened.close();
    },
  },
  {
    name: 'a subscription fires on local edits and deletes; a query follows its records',
    async run(open) {
      const client = await offlineClient(await open());
      const seen: unknown[] = [];
      const lists: number[] = [];
      const handle = await client.create('inspection', { site: 'a', pressure: 1 });
      const offRecord = handle.subscribe((state) => seen.push(state?.pressure ?? null));
      const offQuery = client.subscribeQuery<{ pressure: number }>('inspection', (r) => r.pressure > 10, (list) => lists.push(list.length));
      await handle.update({ pressure: 20 });
      await client.create('inspection', { site: 'b', pressure: 30 });
      await handle.delete();
      offRecord();
      offQuery();
      await handle.restore();
      checkEqual(seen, [1, 20, null], 'the record listener: now, after the edit, after the delete');
      checkEqual(lists, [0, 1, 2, 1], 'the query: none, the first, both, the second');
      await client.close();
    },
  },
];
