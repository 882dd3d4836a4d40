import { decodeCursor, encodeCursor } from './changes-cursor';

describe('_changes cursors', () => {
  it('round-trip a position and start at 0 when absent', () => {
    expect(decodeCursor(encodeCursor(12345))).toBe(12345);
    expect(decodeCursor(undefined)).toBe(0);
  });
  it('refuse anything that is not a cursor', () => {
    expect(() => decodeCursor('12345')).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
  });
});
