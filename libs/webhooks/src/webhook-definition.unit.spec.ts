import type { TakesEvent } from '@takes/contracts';
import { deliveryPayload, fieldChanges, hooksOfEvent } from './delivery-payload';
import { resolveHeaders } from './header-templates';
import { parseWebhookDefinition, webhookAdmissionProblems } from './webhook-definition';
import { webhookMatches } from './webhook-matching';

const base = { id: 'w1', entity: 'visit', url: 'https://example.com/hook' };

describe('webhook definitions', () => {
  it("fills Rocket's defaults", () => {
    const parsed = parseWebhookDefinition(base);
    expect(parsed).toEqual({ ok: true, value: { ...base, name: 'w1', hook: 'after_write', method: 'POST', headers: {}, condition: '', async: true, retry: {}, active: true } });
    const sync = parseWebhookDefinition({ ...base, hook: 'before_write', timeout: '500ms' });
    expect(sync.ok && sync.value).toMatchObject({ async: false, timeout: 500 });
  });

  it('refuses every problem at once, a bad condition with its line and column', () => {
    const parsed = parseWebhookDefinition({ id: 'w1', entity: 'visit', hook: 'sometimes', url: 'ftp://x', method: 'DELETE', condition: 'record.x ==', retry: { max_attempts: 0, schedule: ['soon'] }, headers: { 'webhook-id': 'x', 'X-Key': '{{secrets.KEY}}' } });
    expect(parsed.ok).toBe(false);
    const fields = parsed.ok ? [] : parsed.details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['hook', 'url', 'method', 'condition', 'retry.max_attempts', 'retry.schedule', 'headers.webhook-id', 'headers.X-Key']));
    const condition = parsed.ok ? undefined : parsed.details.find((d) => d.field === 'condition');
    expect(condition).toMatchObject({ rule: 'expression', line: 1 });
  });

  it('refuses a URL with credentials and unknown properties', () => {
    expect(parseWebhookDefinition({ ...base, url: 'https://u:p@example.com/' }).ok).toBe(false);
    expect(webhookAdmissionProblems({ ...base, secret: 'x' })).toEqual([{ field: 'secret', rule: 'unknown', message: 'unknown property secret' }]);
    expect(webhookAdmissionProblems({ ...base, created_at: 'x' })).toEqual([]);
  });

  it('fills {{env.NAME}} in headers only from the allowed variables', () => {
    const allowed = new Set(['PARTNER_TOKEN']);
    expect(resolveHeaders({ Authorization: 'Bearer {{env.PARTNER_TOKEN}}' }, allowed, { PARTNER_TOKEN: 't0k' })).toEqual({ ok: true, headers: { Authorization: 'Bearer t0k' } });
    expect(resolveHeaders({ X: '{{ env.TAKES_DATABASE_URL }}' }, allowed, { TAKES_DATABASE_URL: 'postgres://' })).toMatchObject({ ok: false, message: expect.stringContaining('does not allow') });
    expect(resolveHeaders({ X: '{{env.PARTNER_TOKEN}}' }, allowed, {})).toMatchObject({ ok: false, message: expect.stringContaining('not set') });
    expect(resolveHeaders({ X: '{{env.ACME_KEY}}' }, new Set(['ACME_*']), { ACME_KEY: 'k' })).toEqual({ ok: true, headers: { X: 'k' } });
    expect(resolveHeaders({ X: '{{env.ACMEKEY}}' }, new Set(['ACME_*']), { ACMEKEY: 'k' })).toMatchObject({ ok: false });
  });
});

describe('which events call which webhooks, and what they send', () => {
  const event = {
    v: 1, id: 'e1', command_id: 'c1', parent: null, app: 'main', entity: 'visit', entity_id: 'r1', type: 'merged', version: 3, prior_version: 2, base_version: 1,
    patch: [], submitted: {}, contested: [], branch_ts: '', submit_ts: '', commit_ts: '2026-01-01T00:00:00.000Z', position: 9, user: { id: 'u1', roles: ['admin'] }, device: null,
  } as TakesEvent;

  it('maps event types to hooks', () => {
    expect(hooksOfEvent('created')).toEqual(['after_write']);
    expect(hooksOfEvent('merged')).toEqual(['after_write', 'merged']);
    expect(hooksOfEvent('deleted')).toEqual(['after_delete']);
    expect(hooksOfEvent('shelved')).toEqual(['shelved']);
    expect(hooksOfEvent('defined')).toEqual([]);
    expect(hooksOfEvent('constructor')).toEqual([]);
  });

  it("builds Rocket's payload plus the Takes event", () => {
    const payload = deliveryPayload('merged', event, { id: 'r1', x: 1, y: 'a' }, { id: 'r1', x: 2, y: 'a', z: true });
    expect(payload).toMatchObject({ event: 'merged', entity: 'visit', action: 'update', idempotency_key: 'c1', timestamp: event.commit_ts, user: { id: 'u1', roles: ['admin'] } });
    expect(payload.changes).toEqual({ x: { old: 1, new: 2 }, z: { old: null, new: true } });
    expect(payload.takes_event).toBe(event);
    expect(fieldChanges(null, { a: 1 })).toEqual({ a: { old: null, new: 1 } });
  });

  it('matches on entity, hook, active and condition', () => {
    const parsed = parseWebhookDefinition({ ...base, condition: 'record.x > 1' });
    if (!parsed.ok) throw new Error('fixture');
    const hook = parsed.value;
    const context = (x: unknown) => ({ record: { x }, old: null, action: 'update', user: null });
    expect(webhookMatches(hook, 'visit', 'after_write', context(2))).toEqual({ match: true });
    expect(webhookMatches(hook, 'visit', 'after_write', context(1))).toEqual({ match: false });
    expect(webhookMatches(hook, 'other', 'after_write', context(2))).toEqual({ match: false });
    expect(webhookMatches(hook, 'visit', 'merged', context(2))).toEqual({ match: false });
    expect(webhookMatches({ ...hook, active: false }, 'visit', 'after_write', context(2))).toEqual({ match: false });
    expect(webhookMatches({ ...hook, condition: 'record.x.y > 1' }, 'visit', 'after_write', context(2))).toMatchObject({ match: false, error: expect.any(String) });
  });
});
