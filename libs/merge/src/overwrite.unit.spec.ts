import { overwrite } from './index';

describe('overwrite (history off, stale_write: overwrite)', () => {
  const base = { a: 1, b: 1, c: 1, extra: { tags: ['x'], size: 1 } };
  const head = { a: 2, b: 1, c: 5, extra: { tags: ['x', 'y'], size: 3 } };

  it('writes the client\'s changed paths over the head and returns what it destroyed', () => {
    const result = overwrite(base, head, { op: 'put', data: { a: 9, b: 7, extra: { tags: ['z'], size: 1 } } });
    if (result.kind !== 'apply') throw result.error;
    expect(result.nextState).toEqual({ a: 9, b: 7, c: 5, extra: { tags: ['z'], size: 3 } });
    expect(result.overwritten).toEqual({ '/a': 2, '/extra/tags': ['x', 'y'] });
    expect(result.submitted).toEqual({ a: 9, b: 7, extra: { tags: ['z'], size: 1 } });
    expect(result.patch).toEqual(expect.arrayContaining([{ op: 'replace', path: '/a', value: 9 }]));
  });

  it('overwrites nothing when the head did not move where the client wrote', () => {
    const result = overwrite(base, head, { op: 'patch', patch: [{ op: 'replace', path: '/b', value: 4 }] });
    if (result.kind !== 'apply') throw result.error;
    expect(result.nextState).toEqual({ ...head, b: 4 });
    expect(result.overwritten).toEqual({});
  });

  it('reports a value the head added as overwritten, and a removed one as null', () => {
    const result = overwrite({ a: 1 }, { a: 1, n: { p: 1 } }, { op: 'put', data: { n: 5 } });
    if (result.kind !== 'apply') throw result.error;
    expect(result).toMatchObject({ nextState: { a: 1, n: 5 }, overwritten: { '/n': { p: 1 } } });
    const removed = overwrite({ a: 1, n: 2 }, { a: 1 }, { op: 'put', data: { n: 3 } });
    expect(removed).toMatchObject({ kind: 'apply', nextState: { a: 1, n: 3 }, overwritten: { '/n': null } });
  });

  it('rejects a bad patch as decide does', () => {
    const result = overwrite(base, head, { op: 'patch', patch: [{ op: 'test', path: '/a', value: 2 }] });
    expect(result.kind === 'reject' && result.error.code).toBe('CONFLICT');
  });
});
