import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { replay } from '@takes/decide';
import type { PatchOperation } from '@takes/contracts';
import type { MergePolicy } from '@takes/metadata';
import { fieldTakes, unzipTime, type IncomingEdit, type UnzipDecision } from './index';
import { editState } from './edit';
import { InMemoryStream } from './in-memory-stream';

const CREATED_AT = '2026-03-01T08:00:00.000Z';
const T0 = Date.parse(CREATED_AT);
const SYNC_AT = new Date(T0 + 2 * 3600_000).toISOString();

const scalar = fc.constantFrom<unknown>(0, 1, 2, 'u', 'v', null, true);
const list = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 });
const nested = fc.dictionary(fc.constantFrom('p', 'q', 'r'), scalar, { maxKeys: 3 });
const value = fc.oneof(scalar, list, nested, fc.record({ deep: nested }, { requiredKeys: [] }));
const FIELDS = ['a', 'b', 'tags', 'n', 'm'] as const;
const record = fc.record({ a: scalar, b: scalar, tags: list, n: nested, m: fc.oneof(nested, scalar) }) as fc.Arbitrary<Record<string, unknown>>;

/** PATCH operations a client could send; those that do not apply to its base become a PUT. */
const patchOps = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('replace' as const), path: fc.constantFrom(...FIELDS.map((f) => `/${f}`)), value }),
    fc.record({ op: fc.constant('remove' as const), path: fc.constantFrom('/a', '/b', '/m', '/n/p', '/n/q', '/m/p') }),
    fc.record({ op: fc.constant('add' as const), path: fc.constantFrom('/n/p', '/n/r', '/m/q', '/c'), value }),
  ),
  { minLength: 1, maxLength: 3 },
) as fc.Arbitrary<PatchOperation[]>;

const change = fc.oneof(
  fc.record({ op: fc.constant('put' as const), data: fc.dictionary(fc.constantFrom(...FIELDS, 'c'), value, { minKeys: 1, maxKeys: 3 }) }),
  fc.record({ op: fc.constant('patch' as const), patch: patchOps, fallback: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 2 }) }),
);

/**
 * Whether a take holds the submitted value: equal as JSON values. An object's key order
 * is not part of its value (JSON objects are unordered, and the store keeps `submitted`
 * as jsonb, which does not keep it), so the merge may hand back a value whose keys come
 * in another order than the client's, e.g. when its base was rebuilt from stored patches.
 */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

type Change = { op: 'put'; data: Record<string, unknown> } | { op: 'patch'; patch: PatchOperation[]; fallback: Record<string, unknown> };

function asEdit(base: Record<string, unknown>, c: Change, command_id: string, device: string, submitted: number): IncomingEdit {
  const submit_ts = new Date(submitted).toISOString();
  if (c.op === 'put') return { command_id, device, submit_ts, op: 'put', data: c.data };
  const edit: IncomingEdit = { command_id, device, submit_ts, op: 'patch', patch: c.patch };
  return 'changes' in editState(base, edit) ? edit : { command_id, device, submit_ts, op: 'put', data: c.fallback };
}

/**
 * Concurrent edits: all on version 1, distinct devices, submitted within the hour after
 * it (inside their clamp bounds), and an arrival order. The edits are made from the
 * generated changes inside the property, so shrinking never pairs them with another base.
 */
const concurrentEdits = fc
  .record({ base: record, items: fc.array(fc.record({ change, offset: fc.integer({ min: 0, max: 3600 }) }), { minLength: 1, maxLength: 5 }) })
  .chain(({ base, items }) =>
    fc.shuffledSubarray(items.map((_, i) => i), { minLength: items.length, maxLength: items.length }).map((order) => ({ base, items, order })),
  );

function editsOf(base: Record<string, unknown>, items: { change: unknown; offset: number }[]): IncomingEdit[] {
  return items.map((item, i) => asEdit(base, item.change as Change, `c${i}`, `d${(i * 7) % 5}${i}`, T0 + item.offset * 1000));
}

function play(base: Record<string, unknown>, edits: IncomingEdit[], order: number[], policy: MergePolicy = 'field'): InMemoryStream {
  const stream = new InMemoryStream(base, policy, CREATED_AT);
  for (const i of order) {
    const decision = stream.write({ ...edits[i], base_version: 1, commit_at: SYNC_AT });
    if (decision.kind !== 'append') throw new Error(`${decision.error.code}: ${decision.error.message}`);
  }
  return stream;
}

describe('unzipTime properties', () => {
  it('under field, every arrival order of the same concurrent edits converges to the same record', () => {
    fc.assert(
      fc.property(concurrentEdits, ({ base, items, order }) => {
        const edits = editsOf(base, items);
        const inOrder = play(base, edits, edits.map((_, i) => i));
        const shuffled = play(base, edits, order);
        expect(shuffled.head.state).toEqual(inOrder.head.state);
        expect(shuffled.head.deleted).toBe(inOrder.head.deleted);
      }),
      { numRuns: 400 },
    );
  });

  it('with deletes among the concurrent edits, whether the record ends deleted does not depend on arrival order', () => {
    fc.assert(
      fc.property(concurrentEdits, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), ({ base, items, order }, deletes) => {
        const edits = editsOf(base, items).map((edit, i): IncomingEdit => (deletes[i] ? { ...edit, op: 'delete', data: undefined, patch: undefined } : edit));
        expect(play(base, edits, order).head.deleted).toBe(play(base, edits, edits.map((_, i) => i)).head.deleted);
      }),
      { numRuns: 300 },
    );
  });

  it('no submitted value is ever lost: each is a take of its field in fieldTakes', () => {
    fc.assert(
      fc.property(concurrentEdits, fc.constantFrom<MergePolicy>('field', 'longest-chain'), ({ base, items, order }, policy) => {
        const edits = editsOf(base, items);
        const stream = play(base, edits, order, policy);
        const history = new Map(fieldTakes(stream.events).map((h) => [h.field, h]));
        for (const edit of edits) {
          const edited = editState(base, edit);
          if (!('changes' in edited)) throw edited;
          for (const [field, submitted] of Object.entries(edited.submitted)) {
            const takes = history.get(`/${field}`)?.takes ?? [];
            expect(takes.some((t) => t.command_id === edit.command_id && sameJson(t.submitted, submitted))).toBe(true);
          }
        }
        for (const event of stream.events) {
          for (const [field, submitted] of Object.entries(event.submitted)) {
            expect(history.get(`/${field}`)?.takes).toContainEqual(expect.objectContaining({ event_id: event.id, submitted }));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  /** A stream played by several devices: random bases, offline chains, deletes and restores. */
  const scenario = fc.record({
    base: record,
    policy: fc.constantFrom<MergePolicy>('field', 'longest-chain', 'reject'),
    steps: fc.array(
      fc.record({
        device: fc.integer({ min: 0, max: 3 }),
        kind: fc.constantFrom('change', 'change', 'change', 'delete', 'restore'),
        change,
        back: fc.integer({ min: 0, max: 4 }),
        chained: fc.boolean(),
        age: fc.integer({ min: 0, max: 48 * 3600 }),
      }),
      { minLength: 1, maxLength: 10 },
    ),
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  function playScenario(
    { base, policy, steps }: Scenario,
    check: (stream: InMemoryStream, input: Parameters<typeof unzipTime>[0], decision: UnzipDecision) => void,
  ): InMemoryStream {
    const stream = new InMemoryStream(base, policy, CREATED_AT);
    const last = new Map<number, { command: string; base: number }>();
    steps.forEach((step, n) => {
      const commitAt = T0 + (n + 1) * 3600_000;
      const previous = last.get(step.device);
      const chained = step.chained && previous !== undefined;
      const baseVersion = chained ? previous.base : Math.max(1, stream.head.version - step.back);
      const branch = Date.parse(stream.events[baseVersion - 1].commit_ts);
      const submit = Math.max(branch, commitAt - step.age * 1000);
      const command_id = `s${n}`;
      const edit: IncomingEdit =
        step.kind === 'change'
          ? asEdit(stream.at(baseVersion).state, step.change as Change, command_id, `dev${step.device}`, submit)
          : { command_id, device: `dev${step.device}`, submit_ts: new Date(submit).toISOString(), op: step.kind as 'delete' | 'restore' };
      if (chained) edit.parent = previous.command;
      const input = { base: stream.at(baseVersion), head: stream.head, since: stream.events.slice(baseVersion), edit, policy };
      const decision = stream.write({ ...edit, base_version: baseVersion, commit_at: new Date(commitAt).toISOString() });
      check(stream, input, decision);
      if (decision.kind === 'append') last.set(step.device, { command: command_id, base: baseVersion });
    });
    return stream;
  }

  it('replaying the produced events (decide\'s replay) gives the merged record', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        playScenario(s, (stream) => {
          expect(replay(stream.events)).toEqual(stream.head);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same inputs give the same decision', () => {
    const serialise = (d: UnzipDecision) => JSON.stringify(d.kind === 'append' ? d : { kind: d.kind, error: d.error.toBody() });
    fc.assert(
      fc.property(scenario, (s) => {
        playScenario(s, (_stream, input, decision) => {
          const again = unzipTime(JSON.parse(JSON.stringify(input)));
          expect(serialise(again)).toBe(serialise(decision));
        });
      }),
      { numRuns: 200 },
    );
  });

  it('no submitted value is ever lost across chains, deletes, restores and commit times: each is a take of its field', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const accepted: { command_id: string; submitted: Record<string, unknown> }[] = [];
        // What each device had when it made an edit: its base, with its own earlier chained edits on top.
        const clientStates = new Map<string, Record<string, unknown>>();
        const stream = playScenario(s, (_stream, input, decision) => {
          if (decision.kind !== 'append') return;
          const clientBase = (input.edit.parent && clientStates.get(input.edit.parent)) || input.base.state;
          const edited = editState(clientBase, input.edit);
          if (!('changes' in edited)) return;
          clientStates.set(input.edit.command_id, edited.state);
          if (input.edit.op === 'put' || input.edit.op === 'patch') accepted.push({ command_id: input.edit.command_id, submitted: edited.submitted });
        });
        const history = new Map(fieldTakes(stream.events).map((h) => [h.field, h]));
        for (const { command_id, submitted } of accepted) {
          for (const [field, value] of Object.entries(submitted)) {
            const takes = history.get(`/${field}`)?.takes ?? [];
            expect(takes.some((t) => t.command_id === command_id && sameJson(t.submitted, value))).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  /** Two to three devices, each with a chain of offline edits on version 1, and an interleaving that keeps each chain's order. */
  const chains = fc
    .record({
      base: record,
      devices: fc.array(fc.array(fc.record({ change, gap: fc.integer({ min: 1, max: 600 }) }), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
      start: fc.array(fc.integer({ min: 0, max: 1800 }), { minLength: 3, maxLength: 3 }),
    })
    .chain((c) => {
      const slots = c.devices.flatMap((chain, d) => chain.map(() => d));
      return fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length }).map((interleaving) => ({ ...c, interleaving }));
    });

  it('under field, chains of offline edits per device converge whatever the interleaving of the devices', () => {
    fc.assert(
      fc.property(chains, ({ base, devices, start, interleaving }) => {
        const chainEdits = devices.map((chain, d) => {
          let at = T0 + start[d] * 1000;
          // Each link is made on the device's own state: the base with its earlier links on top.
          let state = base;
          return chain.map((link, k) => {
            at += link.gap * 1000;
            const edit = asEdit(state, link.change as Change, `d${d}-${k}`, `dev${d}`, at);
            const edited = editState(state, edit);
            if ('changes' in edited) state = edited.state;
            return k > 0 ? { ...edit, parent: `d${d}-${k - 1}` } : edit;
          });
        });
        const playInOrder = (order: number[]) => {
          const stream = new InMemoryStream(base, 'field', CREATED_AT);
          const next = devices.map(() => 0);
          for (const d of order) {
            const decision = stream.write({ ...chainEdits[d][next[d]], base_version: 1, commit_at: SYNC_AT });
            if (decision.kind !== 'append') throw new Error(`${decision.error.code}: ${decision.error.message}`);
            next[d] += 1;
          }
          return stream.head;
        };
        const deviceByDevice = devices.flatMap((chain, d) => chain.map(() => d));
        expect(playInOrder(interleaving)).toEqual(playInOrder(deviceByDevice));
      }),
      { numRuns: 300 },
    );
  });
});
