import { findUnstorableText, isStorableText, jsonDepth } from './json-limits';

function nestedArrays(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

describe('JSON limits', () => {
  it('counts nesting without recursion, far past what the stack would hold', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth(nestedArrays(200_000))).toBe(200_000);
    expect(jsonDepth(nestedArrays(200_000), 10)).toBe(11);
  });

  it('storable text: no NUL and no lone surrogate; pairs (emoji) are fine', () => {
    expect(isStorableText('plain, ünïcode and 🙂')).toBe(true);
    for (const bad of ['a\u0000b', '\ud800', 'x\ud800y', '\udc00', 'x\udc00', '\udc00\ud800', '🙂\ud83d']) {
      expect({ bad, storable: isStorableText(bad) }).toEqual({ bad, storable: false });
    }
  });

  it('finds the first unstorable string, keys included, and says where it is', () => {
    expect(findUnstorableText({ a: ['ok', { b: 'fine' }], c: 1, d: null })).toBeUndefined();
    expect(findUnstorableText({ a: ['ok', { 'b/c': 'x\u0000' }] })).toEqual({ pointer: '/a/1/b~1c', reason: 'a NUL character' });
    expect(findUnstorableText({ data: { ['k\ud800']: 1 } })).toEqual({ pointer: '/data/k\ud800', reason: 'a key with a lone surrogate (not Unicode text)' });
    expect(findUnstorableText(nestedArrays(100_000))).toBeUndefined();
  });
});
