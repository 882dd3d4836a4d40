import { eventually, freePort, startTakes, type TakesProcesses } from '@takes/testing';
import { startSmtpSink, tokenIn, type SmtpSink } from '../testing/smtp-sink';

const SMTP_USER = 'takes-mailer';
const SMTP_PASSWORD = 'smtp-secret-from-env';

/** Rocket's smtp config, its password a reference to an allowed environment variable. */
function smtpProvider(port: number, name = 'primary', priority = 0) {
  return {
    name,
    provider: 'smtp',
    priority,
    config: { host: '127.0.0.1', port, tls: false, username: SMTP_USER, password: '{{env.TEST_SMTP_PASSWORD}}', from: 'noreply@crew.example', from_name: 'Crew' },
  };
}

describe('invites, password reset and email (gateway and SMTP as real servers)', () => {
  let takes: TakesProcesses;
  let smtp: SmtpSink;
  let platform: string;
  let admin: string;
  let mailAdmin: string;

  const logsFor = async (app: string, token: string, to: string) =>
    (await takes.api('GET', `/api/${app}/_admin/email/logs?to_email=${encodeURIComponent(to)}`, { token })).body.data as { status: string; attempt: number; template_key: string; error: string | null; provider_id: string | null }[];

  const newApp = async (name: string, displayName = name) => {
    const created = await takes.api('POST', '/api/_platform/apps', { token: platform, body: { name, display_name: displayName } });
    expect(created.status).toBe(201);
    return takes.login(name);
  };

  beforeAll(async () => {
    smtp = await startSmtpSink({ username: SMTP_USER, password: SMTP_PASSWORD });
    takes = await startTakes('invites_email', {
      TAKES_RATE_LIMIT: '1000',
      TAKES_EMAIL_ENV_ALLOW: 'TEST_SMTP_PASSWORD',
      TEST_SMTP_PASSWORD: SMTP_PASSWORD,
      TAKES_EMAIL_POLL: '100ms',
      TAKES_EMAIL_RETRY_BASE: '200ms',
      TAKES_EMAIL_RETRY_MAX: '400ms',
      TAKES_EMAIL_SEND_TIMEOUT: '2s',
      TAKES_INVITE_ACCEPT_URL: 'https://crew.example/{{app}}/accept?token={{token}}',
      TAKES_RESET_PER_EMAIL_HOURLY: '3',
      TAKES_RESET_PER_IP_HOURLY: '12',
    });
    platform = await takes.login('_platform', 'platform@localhost', 'changeme');
    admin = await takes.login();
    mailAdmin = await newApp('mail', 'Crew <b>&</b> Co');
    const provider = await takes.api('POST', '/api/mail/_admin/email/providers', { token: mailAdmin, body: smtpProvider(smtp.port) });
    expect(provider.status).toBe(201);
  });
  afterAll(async () => {
    await takes?.close();
    await smtp?.close();
  });

  describe('who may invite', () => {
    it('needs a token and the admin role: 401 without, 403 for a crew member', async () => {
      expect((await takes.api('POST', '/api/main/_admin/invites', { body: { email: 'x@crew.example' } })).status).toBe(401);
      const crew = await takes.api('POST', '/api/main/_admin/users', { token: admin, body: { email: 'crew1@crew.example', password: 'crew-password', roles: ['crew'] } });
      expect(crew.status).toBe(201);
      const crewToken = await takes.login('main', 'crew1@crew.example', 'crew-password');
      const refused = await takes.api('POST', '/api/main/_admin/invites', { token: crewToken, body: { email: 'x@crew.example', roles: ['admin'] } });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('FORBIDDEN');
      expect((await takes.api('POST', '/api/main/_admin/invites/bulk', { token: crewToken, body: { emails: ['x@crew.example'] } })).status).toBe(403);
      expect((await takes.api('GET', '/api/main/_admin/email/logs', { token: crewToken })).status).toBe(403);
      expect((await takes.api('GET', '/api/main/_admin/invites', { token: admin })).body.data).toEqual([]);
    });
  });

  describe('without an email provider (app main)', () => {
    it('gives the token to the admin; accept makes the user with the invite roles and logs them in; the token works once', async () => {
      const created = await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: ' Jane@Crew.example ', roles: ['crew', 'north'] } });
      expect(created.status).toBe(201);
      expect(created.body.data).toMatchObject({ email: 'jane@crew.example', roles: ['crew', 'north'], status: 'pending', email_log_id: null, token: expect.any(String) });
      const hours = (Date.parse(created.body.data.expires_at) - Date.parse(created.body.data.created_at)) / 3_600_000;
      expect(hours).toBeCloseTo(72, 1);
      const token = created.body.data.token as string;

      const [stored] = await takes.sql<{ token_hash: string }>('SELECT token_hash FROM gateway.invites WHERE id = $1', [created.body.data.id]);
      expect(stored.token_hash).not.toContain(token);
      const listed = await takes.api('GET', '/api/main/_admin/invites', { token: admin });
      expect(listed.body.data).toEqual([expect.objectContaining({ id: created.body.data.id, status: 'pending' })]);
      expect(listed.body.data[0]).not.toHaveProperty('token');
      expect(JSON.stringify(listed.body)).not.toContain('token_hash');

      expect((await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'jane@crew.example' } })).status).toBe(409);
      const existingUser = await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'ADMIN@localhost' } });
      expect(existingUser.status).toBe(409);
      expect(existingUser.body.error).toMatchObject({ code: 'CONFLICT', message: 'a user with this email already exists' });

      const tooShort = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token, password: 'short' } });
      expect(tooShort.status).toBe(422);
      const withRoles = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token, password: 'jane-password', roles: ['admin'] } });
      expect(withRoles.status).toBe(422);
      expect(withRoles.body.error.details).toEqual([expect.objectContaining({ field: 'roles', rule: 'unknown' })]);

      const accepted = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token, password: 'jane-password' } });
      expect(accepted.status).toBe(201);
      expect(accepted.body.data).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), user: { email: 'jane@crew.example', roles: ['crew', 'north'] } });
      const claims = JSON.parse(Buffer.from(accepted.body.data.access_token.split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ aud: 'main', roles: ['crew', 'north'], sub: accepted.body.data.user.id });
      const refreshed = await takes.api('POST', '/api/main/auth/refresh', { body: { refresh_token: accepted.body.data.refresh_token } });
      expect(refreshed.status).toBe(200);
      await takes.login('main', 'jane@crew.example', 'jane-password');

      const again = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token, password: 'other-password' } });
      expect(again.status).toBe(422);
      expect(again.body.error.message).toBe('invite has already been accepted');
      expect((await takes.api('POST', '/api/main/auth/login', { body: { email: 'jane@crew.example', password: 'other-password' } })).status).toBe(401);
      expect((await takes.api('POST', '/api/other/auth/accept-invite', { body: { token, password: 'jane-password' } })).status).toBe(404);
      const after = await takes.api('GET', '/api/main/_admin/invites', { token: admin });
      expect(after.body.data[0]).toMatchObject({ status: 'accepted', user_id: accepted.body.data.user.id });
      // An accepted invite cannot be revoked; the user is deactivated instead.
      expect((await takes.api('DELETE', `/api/main/_admin/invites/${created.body.data.id}`, { token: admin })).status).toBe(409);
    });

    it('a revoked invite cannot be accepted', async () => {
      const created = await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'revoked@crew.example', roles: ['crew'] } });
      const revoked = await takes.api('DELETE', `/api/main/_admin/invites/${created.body.data.id}`, { token: admin });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ data: { id: created.body.data.id, deleted: true } });
      const accept = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token: created.body.data.token, password: 'revoked-password' } });
      expect(accept.status).toBe(404);
      expect(accept.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'invalid invite token' });
      expect((await takes.api('POST', '/api/main/auth/login', { body: { email: 'revoked@crew.example', password: 'revoked-password' } })).status).toBe(401);
      expect((await takes.api('DELETE', '/api/main/_admin/invites/0190a1b2-0000-7000-8000-000000000000', { token: admin })).status).toBe(404);
      // Revoking frees the address for a new invite.
      expect((await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'revoked@crew.example' } })).status).toBe(201);
    });

    it('an expired invite cannot be accepted, shows as expired, and a new one can be made', async () => {
      const created = await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'late@crew.example', roles: ['crew'] } });
      // 72 hours pass (the clock, not the code, is moved).
      await takes.sql("UPDATE gateway.invites SET expires_at = now() - interval '1 second' WHERE id = $1", [created.body.data.id]);
      const accept = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token: created.body.data.token, password: 'late-password' } });
      expect(accept.status).toBe(422);
      expect(accept.body.error.message).toBe('invite has expired');
      const listed = await takes.api('GET', '/api/main/_admin/invites', { token: admin });
      expect(listed.body.data.find((i: { id: string }) => i.id === created.body.data.id).status).toBe('expired');
      const renewed = await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'late@crew.example', roles: ['crew'] } });
      expect(renewed.status).toBe(201);
      expect((await takes.api('POST', '/api/main/auth/accept-invite', { body: { token: renewed.body.data.token, password: 'late-password' } })).status).toBe(201);
    });

    it('an invite body cannot set id, password_hash, active, token or expiry (mass assignment); nothing is written', async () => {
      const before = (await takes.api('GET', '/api/main/_admin/invites', { token: admin })).body.data.length;
      const id = '0190a1b2-0000-7000-8000-000000000001';
      const refused = await takes.api('POST', '/api/main/_admin/invites', {
        token: admin,
        body: { email: 'mass@crew.example', roles: ['crew'], id, password_hash: '$argon2id$v=19$m=19456,t=2,p=1$x$y', active: false, token: 'chosen-token', expires_at: '2999-01-01T00:00:00Z' },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual(['id', 'password_hash', 'active', 'token', 'expires_at']);
      expect((await takes.api('GET', '/api/main/_admin/invites', { token: admin })).body.data.length).toBe(before);
      expect((await takes.api('POST', '/api/main/auth/accept-invite', { body: { token: 'chosen-token', password: 'whatever-password' } })).status).toBe(404);
      expect((await takes.api('POST', '/api/main/_admin/invites/bulk', { token: admin, body: { emails: ['mass@crew.example'], active: false } })).status).toBe(422);
    });

    it('one pending invite per address even when admins ask at once', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'race@crew.example' } })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect((await takes.sql("SELECT 1 FROM gateway.invites WHERE email = 'race@crew.example'")).length).toBe(1);
    });

    it("bulk: Rocket's created, skipped and summary", async () => {
      await takes.api('POST', '/api/main/_admin/invites', { token: admin, body: { email: 'pending@crew.example' } });
      const bulk = await takes.api('POST', '/api/main/_admin/invites/bulk', {
        token: admin,
        body: { emails: ['one@crew.example', 'ONE@crew.example', 'admin@localhost', 'pending@crew.example', 'not-an-address', 'two@crew.example'], roles: ['crew'] },
      });
      expect(bulk.status).toBe(200);
      expect(bulk.body.data.summary).toEqual({ total: 5, created: 2, skipped: 3 });
      expect(bulk.body.data.created).toEqual([
        expect.objectContaining({ email: 'one@crew.example', token: expect.any(String), id: expect.any(String), expires_at: expect.any(String) }),
        expect.objectContaining({ email: 'two@crew.example' }),
      ]);
      expect(bulk.body.data.skipped).toEqual([
        { email: 'admin@localhost', reason: 'a user with this email already exists' },
        { email: 'pending@crew.example', reason: 'a pending invite already exists for this email' },
        { email: 'not-an-address', reason: 'not an email address' },
      ]);
      const accepted = await takes.api('POST', '/api/main/auth/accept-invite', { body: { token: bulk.body.data.created[1].token, password: 'two-password' } });
      expect(accepted.body.data.user.roles).toEqual(['crew']);
    });

    it('forgot-password sends nothing and makes no token without a provider, and answers as for anyone', async () => {
      const known = await takes.api('POST', '/api/main/auth/forgot-password', { body: { email: 'admin@localhost' } });
      expect(known.status).toBe(200);
      const unknown = await takes.api('POST', '/api/main/auth/forgot-password', { body: { email: 'nobody@crew.example' } });
      expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
      expect(JSON.stringify(known.body)).not.toMatch(/token/i);
      expect((await takes.sql('SELECT 1 FROM gateway.password_resets')).length).toBe(0);
    });
  });

  describe('with an SMTP provider (app mail)', () => {
    it('provider secrets are {{env.VAR}} references from the allow-list, shown as written', async () => {
      const plain = await takes.api('POST', '/api/mail/_admin/email/providers', { token: mailAdmin, body: { ...smtpProvider(smtp.port, 'plain'), config: { ...smtpProvider(smtp.port).config, password: SMTP_PASSWORD } } });
      expect(plain.status).toBe(422);
      expect(plain.body.error.details).toEqual([expect.objectContaining({ field: 'config.password', rule: 'secret' })]);
      const notAllowed = await takes.api('POST', '/api/mail/_admin/email/providers', { token: mailAdmin, body: { ...smtpProvider(smtp.port, 'sneaky'), config: { ...smtpProvider(smtp.port).config, password: '{{env.TAKES_DATABASE_URL}}' } } });
      expect(notAllowed.status).toBe(422);
      expect(notAllowed.body.error.details).toEqual([expect.objectContaining({ rule: 'env_allow' })]);
      const listed = await takes.api('GET', '/api/mail/_admin/email/providers', { token: mailAdmin });
      expect(listed.body.data).toEqual([expect.objectContaining({ name: 'primary', provider: 'smtp', active: true, priority: 0, config: expect.objectContaining({ password: '{{env.TEST_SMTP_PASSWORD}}' }) })]);
      expect(JSON.stringify(listed.body)).not.toContain(SMTP_PASSWORD);
      expect((await takes.api('POST', '/api/mail/_admin/email/providers', { token: mailAdmin, body: smtpProvider(smtp.port) })).status).toBe(409);
    });

    it('the invite is mailed (HTML-escaped, token not in the answer), accepted from the mail, and a welcome mail follows', async () => {
      const created = await takes.api('POST', '/api/mail/_admin/invites', { token: mailAdmin, body: { email: 'mia@crew.example', roles: ['crew'] } });
      expect(created.status).toBe(201);
      expect(created.body.data).not.toHaveProperty('token');
      expect(created.body.data.email_log_id).toEqual(expect.any(String));
      const mail = await eventually(() => {
        const [m] = smtp.to('mia@crew.example');
        expect(m).toBeDefined();
        return m;
      });
      expect(mail.raw).toContain("Subject: You've been invited to Crew <b>&</b> Co");
      expect(mail.raw).toContain('<strong>Crew &lt;b&gt;&amp;&lt;/b&gt; Co</strong>');
      const token = tokenIn(mail);
      expect(mail.raw).toContain(`https://crew.example/mail/accept?token=${token}`);

      const accepted = await takes.api('POST', '/api/mail/auth/accept-invite', { body: { token, password: 'mia-password' } });
      expect(accepted.status).toBe(201);
      await eventually(() => expect(smtp.to('mia@crew.example').map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1])).toEqual(["You've been invited to Crew <b>&</b> Co", 'Welcome to Crew <b>&</b> Co']));
      const logs = await eventually(async () => {
        const rows = await logsFor('mail', mailAdmin, 'mia@crew.example');
        expect(rows.map((l) => [l.template_key, l.status, l.attempt])).toEqual([['welcome', 'delivered', 1], ['invite', 'delivered', 1]]);
        return rows;
      });
      expect(JSON.stringify(logs)).not.toContain(token);
      const [row] = await takes.sql<{ variables: unknown }>('SELECT variables FROM gateway.email_logs WHERE id = $1', [created.body.data.email_log_id]);
      expect(row.variables).toBeNull();
    });

    it('an app template overrides the built-in one; custom templates are sent with /email/send', async () => {
      const override = await takes.api('POST', '/api/mail/_admin/email/templates', { token: mailAdmin, body: { key: 'invite', subject: 'Join {{app_name}} as {{roles}}', body_text: 'Your code: {{token}}', body_html: '<p>{{roles}}</p>' } });
      expect(override.status).toBe(201);
      const templates = await takes.api('GET', '/api/mail/_admin/email/templates', { token: mailAdmin });
      expect(templates.body.data.map((t: { key: string; built_in: boolean }) => [t.key, t.built_in])).toEqual([['invite', false], ['welcome', true], ['password_reset', true]]);
      await takes.api('POST', '/api/mail/_admin/invites', { token: mailAdmin, body: { email: 'noah@crew.example', roles: ['<crew>'] } });
      const mail = await eventually(() => {
        const [m] = smtp.to('noah@crew.example');
        expect(m).toBeDefined();
        return m;
      });
      expect(mail.raw).toContain('Subject: Join Crew <b>&</b> Co as <crew>');
      expect(mail.raw).toContain('<p>&lt;crew&gt;</p>');
      expect(tokenIn(mail)).toEqual(expect.any(String));

      const custom = await takes.api('POST', '/api/mail/_admin/email/templates', { token: mailAdmin, body: { key: 'shift_reminder', subject: 'Shift at {{site}}', body_text: 'See you at {{site}}, code: {{code}}' } });
      const preview = await takes.api('POST', `/api/mail/_admin/email/templates/${custom.body.data.id}/preview`, { token: mailAdmin, body: { variables: { site: 'North <3>' } } });
      expect(preview.body.data).toEqual({ subject: 'Shift at North <3>', body_html: '', body_text: 'See you at North <3>, code: ' });
      const sent = await takes.api('POST', '/api/mail/_admin/email/send', { token: mailAdmin, body: { template: 'shift_reminder', to: 'ops@crew.example', variables: { site: 'North', code: 'x'.repeat(43) } } });
      expect(sent.status).toBe(202);
      await eventually(() => expect(smtp.to('ops@crew.example')[0]?.raw).toContain('See you at North'));
      expect((await takes.api('POST', '/api/mail/_admin/email/send', { token: mailAdmin, body: { template: 'nope', to: 'ops@crew.example' } })).status).toBe(422);
      expect((await takes.api('DELETE', '/api/mail/_admin/email/templates/invite', { token: mailAdmin })).status).toBe(422);
      expect((await takes.api('DELETE', `/api/mail/_admin/email/templates/${override.body.data.id}`, { token: mailAdmin })).status).toBe(200);
    });

    it('password reset: the same answer for unknown addresses, a single-use token by mail, sessions revoked', async () => {
      const user = await takes.api('POST', '/api/mail/auth/login', { body: { email: 'mia@crew.example', password: 'mia-password' } });
      const known = await takes.api('POST', '/api/mail/auth/forgot-password', { body: { email: 'MIA@crew.example' } });
      const unknown = await takes.api('POST', '/api/mail/auth/forgot-password', { body: { email: 'nobody@crew.example' } });
      expect(known.status).toBe(200);
      expect(unknown.status).toBe(known.status);
      expect(unknown.body).toEqual(known.body);
      expect(unknown.headers.get('content-length')).toBe(known.headers.get('content-length'));
      const mail = await eventually(() => {
        const m = smtp.to('mia@crew.example').find((x) => x.raw.includes('Subject: Reset your password'));
        expect(m).toBeDefined();
        return m!;
      });
      await takes.api('POST', '/api/mail/_admin/users', { token: mailAdmin, body: { email: 'inactive@crew.example', password: 'inactive-password', active: false } });
      const inactive = await takes.api('POST', '/api/mail/auth/forgot-password', { body: { email: 'inactive@crew.example' } });
      expect([inactive.status, inactive.body]).toEqual([known.status, known.body]);
      expect(await logsFor('mail', mailAdmin, 'inactive@crew.example')).toEqual([]);
      expect(smtp.to('nobody@crew.example')).toEqual([]);
      expect(await logsFor('mail', mailAdmin, 'nobody@crew.example')).toEqual([]);
      const token = tokenIn(mail);

      expect((await takes.api('POST', '/api/mail/auth/reset-password', { body: { token, password: 'short' } })).status).toBe(422);
      expect((await takes.api('POST', '/api/main/auth/reset-password', { body: { token, password: 'mia-new-password' } })).status).toBe(401);
      const reset = await takes.api('POST', '/api/mail/auth/reset-password', { body: { token, password: 'mia-new-password' } });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({ message: 'Password reset' });
      const again = await takes.api('POST', '/api/mail/auth/reset-password', { body: { token, password: 'mia-third-password' } });
      expect(again.status).toBe(401);
      expect(again.body.error.message).toBe('invalid or expired reset token');
      expect((await takes.api('POST', '/api/mail/auth/refresh', { body: { refresh_token: user.body.data.refresh_token } })).status).toBe(401);
      expect((await takes.api('POST', '/api/mail/auth/login', { body: { email: 'mia@crew.example', password: 'mia-password' } })).status).toBe(401);
      await takes.login('mail', 'mia@crew.example', 'mia-new-password');
    });

    it('a reset token expires', async () => {
      await takes.api('POST', '/api/mail/_admin/users', { token: mailAdmin, body: { email: 'slow@crew.example', password: 'slow-password' } });
      await takes.api('POST', '/api/mail/auth/forgot-password', { body: { email: 'slow@crew.example' } });
      const mail = await eventually(() => {
        const [m] = smtp.to('slow@crew.example');
        expect(m).toBeDefined();
        return m;
      });
      const [row] = await takes.sql<{ minutes: number }>("SELECT extract(epoch FROM expires_at - created_at) / 60 AS minutes FROM gateway.password_resets WHERE used_at IS NULL AND app = 'mail'");
      expect(Number(row.minutes)).toBeCloseTo(60, 0);
      await takes.sql("UPDATE gateway.password_resets SET expires_at = now() - interval '1 second' WHERE app = 'mail'");
      expect((await takes.api('POST', '/api/mail/auth/reset-password', { body: { token: tokenIn(mail), password: 'slow-new-password' } })).status).toBe(401);
      await takes.login('mail', 'slow@crew.example', 'slow-password');
    });

    it('forgot-password is limited per address (same answer, nothing more sent) and per IP (429)', async () => {
      await takes.api('POST', '/api/mail/_admin/users', { token: mailAdmin, body: { email: 'eager@crew.example', password: 'eager-password' } });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await takes.api('POST', '/api/mail/auth/forgot-password', { body: { email: 'eager@crew.example' } }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
      expect((await takes.sql("SELECT 1 FROM gateway.email_logs WHERE to_email = 'eager@crew.example'")).length).toBe(3);

      const ipApp = await newApp('iplimit');
      expect(ipApp).toEqual(expect.any(String));
      const statuses = [];
      for (let i = 0; i < 13; i++) statuses.push((await takes.api('POST', '/api/iplimit/auth/forgot-password', { body: { email: `someone${i}@crew.example` } })).status);
      expect(statuses.slice(0, 12)).toEqual(Array(12).fill(200));
      expect(statuses[12]).toBe(429);
    });
  });

  describe('delivery failures', () => {
    it('SMTP down: the invite is still 201, the log shows retries, and the mail goes out once the server is back', async () => {
      const outageAdmin = await newApp('outage');
      const port = await freePort();
      expect((await takes.api('POST', '/api/outage/_admin/email/providers', { token: outageAdmin, body: smtpProvider(port) })).status).toBe(201);
      const created = await takes.api('POST', '/api/outage/_admin/invites', { token: outageAdmin, body: { email: 'ivy@crew.example', roles: ['crew'] } });
      expect(created.status).toBe(201);
      expect(created.body.data).not.toHaveProperty('token');
      const failing = await eventually(async () => {
        const [log] = await logsFor('outage', outageAdmin, 'ivy@crew.example');
        expect(log).toMatchObject({ status: 'retrying', provider_id: null });
        expect(log.attempt).toBeGreaterThanOrEqual(1);
        return log;
      });
      expect(failing.error).toMatch(/^primary: .*ECONNREFUSED/);

      const late = await startSmtpSink({ port, username: SMTP_USER, password: SMTP_PASSWORD });
      try {
        const mail = await eventually(() => {
          const [m] = late.to('ivy@crew.example');
          expect(m).toBeDefined();
          return m;
        });
        const [log] = await eventually(async () => {
          const rows = await logsFor('outage', outageAdmin, 'ivy@crew.example');
          expect(rows[0].status).toBe('delivered');
          return rows;
        });
        expect(log.attempt).toBeGreaterThanOrEqual(2);
        expect((await takes.api('POST', '/api/outage/auth/accept-invite', { body: { token: tokenIn(mail), password: 'ivy-password' } })).status).toBe(201);
      } finally {
        await late.close();
      }
    });

    it('providers are tried by priority: the fallback delivers when the primary is down', async () => {
      const fallbackAdmin = await newApp('fallback');
      const deadPort = await freePort();
      await takes.api('POST', '/api/fallback/_admin/email/providers', { token: fallbackAdmin, body: smtpProvider(smtp.port, 'backup', 10) });
      await takes.api('POST', '/api/fallback/_admin/email/providers', { token: fallbackAdmin, body: smtpProvider(deadPort, 'primary', 0) });
      const providers = (await takes.api('GET', '/api/fallback/_admin/email/providers', { token: fallbackAdmin })).body.data;
      expect(providers.map((p: { name: string }) => p.name)).toEqual(['primary', 'backup']);
      await takes.api('POST', '/api/fallback/_admin/invites', { token: fallbackAdmin, body: { email: 'finn@crew.example' } });
      await eventually(() => expect(smtp.to('finn@crew.example')).toHaveLength(1));
      const [log] = await eventually(async () => {
        const rows = await logsFor('fallback', fallbackAdmin, 'finn@crew.example');
        expect(rows[0].status).toBe('delivered');
        return rows;
      });
      expect(log).toMatchObject({ attempt: 1, provider_id: providers[1].id });
      expect(log.error).toMatch(/^primary: /);
    });

    it('mail that never goes out is given up after the last attempt, its token cleared from the log', async () => {
      const deadAdmin = await newApp('dead');
      await takes.api('POST', '/api/dead/_admin/email/providers', { token: deadAdmin, body: smtpProvider(await freePort()) });
      const created = await takes.api('POST', '/api/dead/_admin/invites', { token: deadAdmin, body: { email: 'gone@crew.example' } });
      expect(created.status).toBe(201);
      await eventually(async () => expect((await logsFor('dead', deadAdmin, 'gone@crew.example'))[0]).toMatchObject({ status: 'failed', attempt: 5 }), 30_000);
      const [row] = await takes.sql<{ variables: unknown }>('SELECT variables FROM gateway.email_logs WHERE id = $1', [created.body.data.email_log_id]);
      expect(row.variables).toBeNull();
    });
  });

  describe('platform users', () => {
    it('forgot and reset password under /api/_platform/auth', async () => {
      expect((await takes.api('POST', '/api/_platform/_admin/email/providers', { token: platform, body: smtpProvider(smtp.port) })).status).toBe(201);
      const asked = await takes.api('POST', '/api/_platform/auth/forgot-password', { body: { email: 'platform@localhost' } });
      expect(asked.status).toBe(200);
      const mail = await eventually(() => {
        const [m] = smtp.to('platform@localhost');
        expect(m).toBeDefined();
        return m;
      });
      // A platform token is not an app's reset token, nor the other way round.
      expect((await takes.api('POST', '/api/main/auth/reset-password', { body: { token: tokenIn(mail), password: 'platform-new-password' } })).status).toBe(401);
      expect((await takes.api('POST', '/api/_platform/auth/reset-password', { body: { token: tokenIn(mail), password: 'platform-new-password' } })).status).toBe(200);
      await takes.login('_platform', 'platform@localhost', 'platform-new-password');
      expect((await takes.api('POST', '/api/_platform/auth/login', { body: { email: 'platform@localhost', password: 'changeme' } })).status).toBe(401);
    });
  });

  it('the OpenAPI document lists the routes', async () => {
    const docs = await takes.api('GET', '/api/docs');
    const paths = Object.keys(docs.body.paths);
    for (const path of [
      '/api/{app}/_admin/invites',
      '/api/{app}/_admin/invites/bulk',
      '/api/{app}/_admin/invites/{id}',
      '/api/{app}/auth/accept-invite',
      '/api/{app}/auth/forgot-password',
      '/api/{app}/auth/reset-password',
      '/api/{app}/_admin/email/providers',
      '/api/{app}/_admin/email/providers/{id}',
      '/api/{app}/_admin/email/templates',
      '/api/{app}/_admin/email/templates/{id}/preview',
      '/api/{app}/_admin/email/logs',
      '/api/{app}/_admin/email/logs/{id}',
      '/api/{app}/_admin/email/send',
    ]) {
      expect(paths).toContain(path);
    }
  });
});
