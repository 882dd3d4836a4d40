import fc from 'fast-check';
import { applyPatch, type Operation } from 'fast-json-patch';
import { applyPatchShared } from './shared-patch';

// Keys that exercise the walk: escapes, digits, "-", and a `__proto__` own key (JSON.parse
// makes one). No `constructor`: fast-json-patch would write into Object itself.
const KEYS = ['a', 'b', 'n', '0', '1', '-', 'x~y', 'p/q', '__proto__', 'prototype'] as const;
const key = fc.constantFrom(...KEYS);
const scalar = fc.constantFrom<unknown>(0, 1, 'v', null, true);

const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as unknown),
  ),
})).value;

const doc = fc.array(fc.tuple(key, json), { maxLength: 5 }).map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as Record<string, unknown>);

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = fc.oneof(
  { weight: 6, arbitrary: fc.array(key, { minLength: 1, maxLength: 3 }).map((segments) => segments.map((s) => `/${escape(s)}`).join('')) },
  { weight: 1, arbitrary: fc.constantFrom('', '/', '/a/', '/-/a', '/x~y', '/n/0/-') },
);
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('add', 'replace'), path: pointer, value: json }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('remove'), path: pointer }) },
  // A move from the root ("") would make the document contain itself: see the last tests.
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('move', 'copy'), from: pointer.filter((p) => p !== ''), path: pointer }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('copy'), from: fc.constant(''), path: pointer }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('test'), path: pointer, value: json }) },
) as fc.Arbitrary<Operation>;
const patch = fc.array(operation, { minLength: 1, maxLength: 4 });

/** A deep copy through JSON, as the merge's `clone` (a patch can leave the document undefined). */
const copy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/** The reference: fast-json-patch on a deep copy, as the merge applied stored events before. */
function reference(state: unknown, ops: Operation[]): { doc?: unknown; threw?: string } {
  try {
    return { doc: applyPatch(copy(state), copy(ops), false, true).newDocument };
  } catch (error) {
    return { threw: error instanceof Error ? error.name : String(error) };
  }
}

function shared(state: unknown, ops: Operation[]): { doc?: unknown; threw?: string } {
  try {
    return { doc: applyPatchShared(state, copy(ops)) };
  } catch (error) {
    return { threw: error instanceof Error ? error.name : String(error) };
  }
}

/** Equal as JSON text, so key order counts too (the merge's output depends on it). */
const text = (value: unknown) => JSON.stringify(value) ?? 'undefined';

describe('applyPatchShared', () => {
  it('gives what fast-json-patch gives on a copy (same document, same key order, same errors) and leaves its input alone', () => {
    fc.assert(
      fc.property(doc, patch, (state, ops) => {
        const before = text(state);
        const expected = reference(state, ops);
        const actual = shared(state, ops);
        expect(actual.threw).toBe(expected.threw);
        if (expected.threw === undefined) expect(text(actual.doc)).toBe(text(expected.doc));
        expect(text(state)).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });

  it('over a sequence of patches, every earlier version stays as it was made (versions share their parts)', () => {
    fc.assert(
      fc.property(doc, fc.array(patch, { minLength: 1, maxLength: 8 }), (initial, patches) => {
        const versions: { doc: unknown; text: string }[] = [{ doc: initial, text: text(initial) }];
        let expected: unknown = copy(initial);
        for (const ops of patches) {
          const want = reference(expected, ops);
          const got = shared(versions[versions.length - 1].doc, ops);
          if (want.threw !== undefined) {
            expect(got.threw).toBe(want.threw);
            break;
          }
          expect(text(got.doc)).toBe(text(want.doc));
          expected = want.doc;
          versions.push({ doc: got.doc, text: text(got.doc) });
        }
        for (const version of versions) expect(text(version.doc)).toBe(version.text);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses to move the document into itself, which would be no JSON document (fast-json-patch would make it contain itself)', () => {
    expect(() => applyPatchShared({ a: 1 }, [{ op: 'move', from: '', path: '/b' }])).toThrow('cannot move the document into itself');
    expect(applyPatchShared({ a: 1 }, [{ op: 'move', from: '', path: '' }])).toEqual({ a: 1 });
  });

  it('shares what the patch did not touch', () => {
    const state = { a: { deep: [1, 2] }, b: { c: { d: 1 }, e: { f: 2 } } };
    const next = applyPatchShared(state, [{ op: 'replace', path: '/b/c/d', value: 9 }]) as typeof state;
    expect(next).toEqual({ a: { deep: [1, 2] }, b: { c: { d: 9 }, e: { f: 2 } } });
    expect(state.b.c.d).toBe(1);
    expect(next.a).toBe(state.a);
    expect(next.b.e).toBe(state.b.e);
    expect(next.b).not.toBe(state.b);
  });
});
