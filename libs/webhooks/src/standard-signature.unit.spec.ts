import { Webhook } from 'standardwebhooks';
import { hasValidSignature, newSecret, secretKey, signatureHeader, standardHeaders, webhookMessageId } from './standard-signature';

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({ event: 'after_write', entity: 'visit', record: { id: 'r1', notes: 'ünïcode' } });

  it('makes secrets of whsec_ and 32 random bytes, different each time', () => {
    const a = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(a)).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
    expect(() => secretKey('nope')).toThrow(/whsec_/);
  });

  it('derives the webhook-id from the event and the endpoint alone', () => {
    const id = webhookMessageId('evt-1', 'hook-1');
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
    expect(webhookMessageId('evt-1', 'hook-1')).toBe(id);
    expect(webhookMessageId('evt-1', 'hook-2')).not.toBe(id);
    expect(webhookMessageId('evt-2', 'hook-1')).not.toBe(id);
  });

  it('signs so that the standardwebhooks package verifies, with either secret during a rotation', () => {
    const old = newSecret();
    const current = newSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = standardHeaders([current, old], 'msg_1', timestamp, body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(old).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow();
  });

  it('checks a signature header as a receiver does', () => {
    const secret = newSecret();
    const header = signatureHeader([secret], 'msg_1', 10, body);
    expect(hasValidSignature(secret, header, 'msg_1', 10, body)).toBe(true);
    expect(hasValidSignature(secret, header, 'msg_1', 11, body)).toBe(false);
    expect(hasValidSignature(newSecret(), header, 'msg_1', 10, body)).toBe(false);
  });
});
