import { dollarQuoted, executeSql, integerLiteral } from './one-trip';

describe('dollarQuoted', () => {
  it('wraps a text in $t$ when it can', () => {
    const json = JSON.stringify({ a: 'it\'s "x" \\' });
    expect(dollarQuoted(json)).toBe('$t$' + json + '$t$');
  });

  it('picks another tag when the text holds $t$ or ends with a start of it', () => {
    expect(dollarQuoted('a $t$ b')).toBe('$t1$a $t$ b$t1$');
    expect(dollarQuoted('ends with $t')).toBe('$t1$ends with $t$t1$');
    expect(dollarQuoted('ends with $')).toBe('$t$ends with $$t$');
    expect(dollarQuoted('$t$ and $t1$')).toBe('$t2$$t$ and $t1$$t2$');
  });

  it('ends the literal exactly where the text ends, whatever the text', () => {
    for (const text of ['', '$', '$t', '$t$', '$t1', '$t1$$t$', 'x$t$t1$t']) {
      const quoted = dollarQuoted(text);
      const tag = quoted.slice(0, quoted.indexOf('$', 1) + 1);
      expect(quoted.slice(tag.length).indexOf(tag)).toBe(text.length);
    }
  });
});

describe('executeSql', () => {
  it('writes EXECUTE with each value as a literal and null as NULL', () => {
    expect(executeSql({ name: 'read_it', text: 'SELECT $1::jsonb, $2::text' }, ['[1]', null])).toBe('EXECUTE read_it($t$[1]$t$, NULL)');
  });
});

describe('integerLiteral', () => {
  it('writes a whole number and refuses anything else', () => {
    expect(integerLiteral(0)).toBe('0');
    expect(integerLiteral(9_007_199_254_740_991)).toBe('9007199254740991');
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => integerLiteral(bad)).toThrow(/not a whole number/);
  });
});
