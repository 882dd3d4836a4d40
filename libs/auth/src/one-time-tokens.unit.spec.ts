import {
  expiresAfter,
  hashOneTimeToken,
  inviteStatus,
  judgeOneTimeToken,
  newOneTimeToken,
  parseBulkInviteInput,
  parseInviteInput,
  passwordProblems,
  INVITE_TTL_SECONDS,
} from './index';

const now = new Date('2026-12-02T12:00:00Z');

describe('one-time tokens (invites, resets)', () => {
  it('are random and stored as hashes', () => {
    const a = newOneTimeToken();
    expect(a.hash).toBe(hashOneTimeToken(a.token));
    expect(a.hash).not.toContain(a.token);
    expect(newOneTimeToken().token).not.toBe(a.token);
  });

  it('are good once, until they expire, unless revoked', () => {
    const later = expiresAfter(3600, now);
    expect(judgeOneTimeToken(undefined, now)).toBe('unknown');
    expect(judgeOneTimeToken({ expires_at: later, used_at: null }, now)).toBe('valid');
    expect(judgeOneTimeToken({ expires_at: later, used_at: now }, now)).toBe('used');
    expect(judgeOneTimeToken({ expires_at: later, used_at: null, revoked_at: now }, now)).toBe('revoked');
    expect(judgeOneTimeToken({ expires_at: now, used_at: null }, now)).toBe('expired');
    expect(judgeOneTimeToken({ expires_at: later, used_at: null }, new Date(later.getTime() + 1))).toBe('expired');
  });
});

describe('invites', () => {
  it('expire 72 hours after they are made', () => {
    const expires = expiresAfter(INVITE_TTL_SECONDS, now);
    expect(expires.toISOString()).toBe('2026-12-05T12:00:00.000Z');
    expect(inviteStatus({ status: 'pending', expires_at: expires }, new Date(expires.getTime() - 1))).toBe('pending');
    expect(inviteStatus({ status: 'pending', expires_at: expires }, expires)).toBe('expired');
    expect(inviteStatus({ status: 'accepted', expires_at: expires }, expires)).toBe('accepted');
    expect(inviteStatus({ status: 'revoked', expires_at: expires }, now)).toBe('revoked');
  });

  it('take {email, roles, attributes} only: no id, password hash, active, token or expiry', () => {
    expect(parseInviteInput({ email: ' Jane@Co.com ', roles: ['crew', 'crew'] })).toEqual({ email: 'jane@co.com', roles: ['crew'], attributes: {} });
    expect(parseInviteInput({ email: 'a@b' })).toEqual({ email: 'a@b', roles: [], attributes: {} });
    expect(parseInviteInput({ email: 'a@b', attributes: { division: 'north' } }).attributes).toEqual({ division: 'north' });
    expect(() => parseInviteInput({ email: 'a@b', attributes: { id: 'x' } })).toThrow('invalid invite');
    let details: { field: string }[] = [];
    try {
      parseInviteInput({ email: 'a@b', id: 'x', password_hash: 'h', active: false, token: 't', expires_at: '2999-01-01' });
    } catch (error) {
      details = (error as { details: { field: string }[] }).details;
    }
    expect(details.map((d) => d.field)).toEqual(['id', 'password_hash', 'active', 'token', 'expires_at']);
    expect(() => parseInviteInput({ email: 'nope' })).toThrow('invalid invite');
    expect(() => parseInviteInput({ email: 'a@b', roles: 'admin' })).toThrow('invalid invite');
    expect(() => parseInviteInput([])).toThrow('body must be a JSON object');
  });

  it('in bulk: trimmed, lower-cased, deduplicated; blank entries refused', () => {
    expect(parseBulkInviteInput({ emails: ['A@b.c', ' a@b.c', 'd@e.f'], roles: ['crew'] })).toEqual({ emails: ['a@b.c', 'd@e.f'], roles: ['crew'], attributes: {} });
    expect(() => parseBulkInviteInput({ emails: ['a@b', ' '] })).toThrow('invalid bulk invite');
    expect(() => parseBulkInviteInput({ emails: [] })).toThrow('invalid bulk invite');
    expect(() => parseBulkInviteInput({ emails: ['a@b'], active: true })).toThrow('invalid bulk invite');
  });
});

describe('password rule', () => {
  it('is at least 8 characters and at most 1024', () => {
    expect(passwordProblems('12345678')).toEqual([]);
    expect(passwordProblems('short')).toEqual([expect.objectContaining({ field: 'password', rule: 'min_length' })]);
    expect(passwordProblems(undefined)).toHaveLength(1);
    expect(passwordProblems('x'.repeat(1025))).toEqual([expect.objectContaining({ rule: 'max_length' })]);
  });
});
