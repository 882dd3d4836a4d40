import { issueAccessToken, tokenKey, verifyAccessToken } from './access-tokens';
import { verifiedTokens } from './verified-tokens';

const key = tokenKey('a-signing-secret-of-at-least-32-characters!');

describe('verified tokens', () => {
  it('answers a token seen before from memory, and exactly as the full check does', async () => {
    const t = Date.parse('2026-12-03T08:00:00Z');
    const verify = verifiedTokens(key, { now: () => t });
    const token = await issueAccessToken(key, { sub: 'u1', roles: ['crew'], aud: 'main', email: 'u1@example.com' }, 15 * 60, new Date(t));
    const first = await verify(token, ['main', '_platform']);
    expect(first).toEqual(await verifyAccessToken(key, token, ['main', '_platform'], { now: new Date(t) }));
    expect(await verify(token, ['main', '_platform'])).toBe(first);
  });

  it('still refuses a token once it expired, a tampered one, and one for another audience', async () => {
    let t = Date.parse('2026-12-03T08:00:00Z');
    const verify = verifiedTokens(key, { now: () => t });
    const token = await issueAccessToken(key, { sub: 'u1', roles: [], aud: 'main' }, 15 * 60, new Date(t));
    await verify(token, ['main']);
    await expect(verify(token, ['other'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(verify(`${token.slice(0, -2)}xx`, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    t += 16 * 60_000;
    await expect(verify(token, ['main'])).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'token expired' });
  });

  it('forgets the oldest token beyond its size (checked in full again), keeps the newer ones', async () => {
    const t = Date.parse('2026-12-03T08:00:00Z');
    const verify = verifiedTokens(key, { now: () => t, maxEntries: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => issueAccessToken(key, { sub, roles: [], aud: 'main' }, 15 * 60, new Date(t))));
    const first = await verify(a, ['main']);
    await verify(b, ['main']);
    const third = await verify(c, ['main']);
    const again = await verify(a, ['main']);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
    expect(await verify(c, ['main'])).toBe(third);
  });
});
