import { SignJWT, UnsecuredJWT } from 'jose';
import { issueAccessToken, tokenKey, verifyAccessToken } from './access-tokens';
import { hashPassword, verifyPassword } from './passwords';
import { hashRefreshToken, judgeRefresh, newRefreshToken } from './refresh-tokens';

const key = tokenKey('k'.repeat(40));
const other = tokenKey('o'.repeat(40));

describe('access tokens', () => {
  it('round-trips sub, roles and audience', async () => {
    const token = await issueAccessToken(key, { sub: 'u1', roles: ['admin'], aud: 'main' });
    await expect(verifyAccessToken(key, token, ['main'])).resolves.toMatchObject({ sub: 'u1', roles: ['admin'], aud: 'main' });
  });

  it('refuses a token of another app, an expired one, a tampered one, a wrong key, alg none and garbage', async () => {
    const token = await issueAccessToken(key, { sub: 'u1', roles: ['admin'], aud: 'main' });
    await expect(verifyAccessToken(key, token, ['other'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const old = await issueAccessToken(key, { sub: 'u1', roles: [], aud: 'main' }, 60, new Date(Date.now() - 3_600_000));
    await expect(verifyAccessToken(key, old, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'token expired' });
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, roles: ['admin', 'root'] })).toString('base64url');
    await expect(verifyAccessToken(key, `${h}.${forged}.${s}`, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verifyAccessToken(other, token, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const none = new UnsecuredJWT({ roles: ['admin'] }).setSubject('u1').setAudience('main').setIssuer('takes').setIssuedAt().setExpirationTime('1h').encode();
    await expect(verifyAccessToken(key, none, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const hs512 = await new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS512' }).setSubject('u').setAudience('main').setIssuer('takes').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('k'.repeat(40)));
    await expect(verifyAccessToken(key, hs512, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verifyAccessToken(key, 'not.a.token', ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('carries the user attributes permission conditions name, dropping malformed ones', async () => {
    const token = await issueAccessToken(key, { sub: 'u1', roles: ['crew'], aud: 'main', attributes: { division: 'north', sites: ['s1', 's2'], level: 3 } });
    await expect(verifyAccessToken(key, token, ['main'])).resolves.toMatchObject({ attributes: { division: 'north', sites: ['s1', 's2'], level: 3 } });
    const bare = await issueAccessToken(key, { sub: 'u1', roles: [], aud: 'main' });
    expect((await verifyAccessToken(key, bare, ['main'])).attributes).toBeUndefined();
    const odd = await new SignJWT({ roles: [], attrs: { ok: 'x', nested: { a: 1 }, 'bad key': 'y' } }).setProtectedHeader({ alg: 'HS256' }).setSubject('u').setAudience('main').setIssuer('takes').setIssuedAt().setExpirationTime('1h').sign(key.secret);
    expect((await verifyAccessToken(key, odd, ['main'])).attributes).toEqual({ ok: 'x' });
  });

  it('accepts a token that expired within the clock tolerance', async () => {
    const justExpired = await issueAccessToken(key, { sub: 'u1', roles: [], aud: 'main' }, 60, new Date(Date.now() - 70_000));
    await expect(verifyAccessToken(key, justExpired, ['main'], { clockToleranceSeconds: 30 })).resolves.toMatchObject({ sub: 'u1' });
  });
});

describe('passwords and refresh tokens', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('changeme');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'changeme')).toBe(true);
    expect(await verifyPassword(hash, 'wrong')).toBe(false);
    expect(await verifyPassword('garbage', 'changeme')).toBe(false);
  });

  it('refresh tokens are random and stored as hashes; reuse and expiry are told apart', () => {
    const a = newRefreshToken();
    expect(a.hash).toBe(hashRefreshToken(a.token));
    expect(newRefreshToken().token).not.toBe(a.token);
    const later = new Date(Date.now() + 1_000_000);
    expect(judgeRefresh(undefined)).toBe('unknown');
    expect(judgeRefresh({ revoked_at: new Date(), expires_at: later })).toBe('reuse');
    expect(judgeRefresh({ revoked_at: null, expires_at: new Date(0) })).toBe('expired');
    expect(judgeRefresh({ revoked_at: null, expires_at: later })).toBe('rotate');
  });
});
