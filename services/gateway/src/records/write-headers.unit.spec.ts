import { deviceHash, parseIfMatch, parseWriteHeaders } from './write-headers';

describe('write headers', () => {
  it('If-Match accepts "3", 3 and W/"3"; anything else is INVALID_PAYLOAD', () => {
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('3')).toBe(3);
    expect(parseIfMatch('W/"3"')).toBe(3);
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(() => parseIfMatch('abc')).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
  });

  it('reads the triple timestamps, parent, device (hashed) and the command id', () => {
    const h = parseWriteHeaders({
      'idempotency-key': 'k-1', 'x-takes-parent': 'k-0', 'x-takes-branch-ts': '2026-11-16T08:00:00+01:00',
      'x-takes-submit-ts': '2026-11-17T08:00:00Z', 'x-takes-device': 'Anna’s phone',
    }, 'main');
    expect(h).toMatchObject({ commandId: 'k-1', madeCommandId: false, parent: 'k-0', branchTs: '2026-11-16T07:00:00.000Z', submitTs: '2026-11-17T08:00:00.000Z' });
    expect(h.device).toBe(deviceHash('main', 'Anna’s phone'));
    expect(h.device).toMatch(/^d:[0-9a-f]{16}$/);
    expect(h.device).not.toContain('Anna');
  });

  it('makes a command id when none is given, and refuses bad timestamps', () => {
    expect(parseWriteHeaders({}, 'main')).toMatchObject({ madeCommandId: true, commandId: expect.any(String) });
    expect(() => parseWriteHeaders({ 'x-takes-submit-ts': 'yesterday' }, 'main')).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
  });

  it('refuses impossible calendar moments that Date.parse would roll over (February 31st, hour 24)', () => {
    for (const bad of ['2026-02-31T10:00:00Z', '2026-02-29T10:00:00Z', '2026-04-31T10:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:60:00Z', '2026-13-01T10:00:00Z']) {
      expect(() => parseWriteHeaders({ 'x-takes-submit-ts': bad }, 'main')).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
      expect(() => parseWriteHeaders({ 'x-takes-branch-ts': bad }, 'main')).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
    }
    expect(parseWriteHeaders({ 'x-takes-submit-ts': '2028-02-29T10:00:00Z' }, 'main').submitTs).toBe('2028-02-29T10:00:00.000Z');
  });
});
