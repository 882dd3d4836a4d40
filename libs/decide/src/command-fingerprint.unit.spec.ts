import type { AppendCommand } from '@takes/contracts';
import { canonicalJson, commandFingerprint, requestFingerprint } from './command-fingerprint';

const base: AppendCommand = {
  v: 1, command_id: 'c', app: 'main', entity: 'e', entity_id: '1', op: 'put', data: { a: 1, b: { y: 2, x: 1 } },
  user: { id: 'u', roles: [] },
};

describe('commandFingerprint', () => {
  it('ignores key order and the user', () => {
    const reordered = { ...base, data: { b: { x: 1, y: 2 }, a: 1 }, user: { id: 'u', roles: ['admin'] } };
    expect(commandFingerprint(reordered)).toBe(commandFingerprint(base));
  });
  it('differs when the edit differs', () => {
    expect(commandFingerprint({ ...base, data: { a: 2 } })).not.toBe(commandFingerprint(base));
    expect(commandFingerprint({ ...base, base_version: 3 })).not.toBe(commandFingerprint(base));
  });
  it("is the client's request fingerprint when the command carries one, whatever values the gateway made", () => {
    const request = requestFingerprint({ route: 'POST /api/main/e', body: { a: 1 } });
    const first = { ...base, op: 'create' as const, entity_id: 'generated-1', request_hash: request };
    const resent = { ...first, entity_id: 'generated-2' };
    expect(commandFingerprint(resent)).toBe(commandFingerprint(first));
    expect(commandFingerprint({ ...first, request_hash: requestFingerprint({ route: 'POST /api/main/e', body: { a: 2 } }) })).not.toBe(commandFingerprint(first));
  });
  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: undefined, b: 2 }] })).toBe('{"a":[{"b":2,"d":1}],"b":1}');
  });
  it('canonical JSON drops an undefined first key without a stray comma, and writes undefined in an array as null', () => {
    expect(canonicalJson({ skip: undefined, b: [undefined, {}], a: { y: undefined, x: 'ü' } })).toBe('{"a":{"x":"ü"},"b":[null,{}]}');
  });
  it('keeps the fingerprints stored by earlier versions: a resend after an upgrade is still the same request', () => {
    // Computed by the first implementation (entries, sort, join); stored fingerprints must not move.
    const request = { route: 'PUT /api/main/inspection/7', body: { site: 'bay 2', é: [1, undefined, { z: null, a: 'ü' }], skip: undefined, n: 1.5 } };
    expect(requestFingerprint(request)).toBe('nxFR-8xhzxWYdUiUdCI9OT-loKEz99wSps80aQ52wWM');
  });
});
