import { jsonbKeyOrder, jsonbOrdered } from './jsonb-order';

/** jsonb's order by definition: shorter UTF-8 first, then by bytes, each key encoded for every comparison. */
const byDefinition = (keys: string[]) =>
  [...keys].sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('jsonb key order', () => {
  it('orders ASCII keys by length, then byte by byte (digits before capitals before lower case)', () => {
    expect(jsonbKeyOrder(['zz', 'a', 'ab', '10', '2', 'B', 'b', 'Ab', '_x'])).toEqual(['2', 'B', 'a', 'b', '10', 'Ab', '_x', 'ab', 'zz']);
  });

  it('orders keys with non-ASCII characters by their UTF-8 bytes, not their UTF-16 units', () => {
    // 'é' is two bytes (longer than 'z'); U+FF5E is three bytes, '😀' four, though it is two UTF-16 units and sorts below U+FF5E in them.
    expect(jsonbKeyOrder(['😀', '\uff5e', 'é', 'z', 'ab'])).toEqual(['z', 'ab', 'é', '\uff5e', '😀']);
  });

  it('agrees with the definition on random keys, ASCII alone and mixed', () => {
    const alphabet = ['a', 'b', 'Z', '0', '_', ' ', '~', 'é', 'ß', '\u00ff', '\u0800', '\uffee', '😀', '𝄞'];
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 500; round += 1) {
      const letters = round % 2 === 0 ? 7 : alphabet.length;
      const keys = [...new Set(Array.from({ length: 1 + next(12) }, () => Array.from({ length: next(5) }, () => alphabet[next(letters)]).join('')))];
      expect(jsonbKeyOrder([...keys])).toEqual(byDefinition(keys));
    }
  });

  it('orders nested objects, leaves undefined keys out and writes undefined array items as null', () => {
    const ordered = jsonbOrdered({ zz: 1, a: { ab: [undefined, { b: 1, a: 2 }], z: undefined, é: 3 } });
    expect(JSON.stringify(ordered)).toBe('{"a":{"ab":[null,{"a":2,"b":1}],"é":3},"zz":1}');
  });
});
