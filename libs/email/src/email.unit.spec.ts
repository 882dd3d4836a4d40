import {
  BUILT_IN_TEMPLATES,
  afterFailedAttempt,
  envRefsIn,
  interpolate,
  isEnvAllowed,
  parseEnvAllowList,
  parseProviderInput,
  parseTemplateInput,
  renderEmail,
  resolveEnvRefs,
  retryDelayMs,
  smtpTransportOptions,
} from './index';

describe('template interpolation', () => {
  it('fills {{name}} and {{ name }}, unknown names become empty', () => {
    expect(interpolate('Hi {{email}}, join {{ app_name }}{{missing}}!', { email: 'a@b.c', app_name: 'Crew' }, 'text')).toBe('Hi a@b.c, join Crew!');
  });

  it('escapes values in HTML, not in text, and never the template itself', () => {
    const vars = { app_name: '<script>alert("x")</script> & co' };
    expect(interpolate('<b>{{app_name}}</b>', vars, 'html')).toBe('<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</b>');
    expect(interpolate('{{app_name}}', vars, 'text')).toBe(vars.app_name);
  });

  it('never reads the environment or the prototype from a template', () => {
    process.env.TAKES_TEST_SECRET = 'hunter2';
    expect(interpolate('{{env.TAKES_TEST_SECRET}}|{{constructor}}|{{toString}}', {}, 'text')).toBe('||');
  });

  it('renders a one-line subject (no header injection) and both bodies', () => {
    const rendered = renderEmail({ subject: 'Hi {{name}}', body_html: '<p>{{name}}</p>', body_text: '{{name}}' }, { name: 'x\r\nBcc: evil@x' });
    expect(rendered.subject).toBe('Hi x Bcc: evil@x');
    expect(rendered.html).toBe('<p>x\r\nBcc: evil@x</p>');
    const invite = renderEmail(BUILT_IN_TEMPLATES.invite, { app_name: 'Crew', token: 'T0K', roles: 'crew' });
    expect(invite.subject).toBe("You've been invited to Crew");
    expect(invite.text).toContain('T0K');
  });
});

describe('{{env.VAR}} references', () => {
  const allow = parseEnvAllowList('SMTP_PASSWORD, MAIL_*');

  it('parses the allow-list with exact names and prefixes', () => {
    expect(allow).toEqual(['SMTP_PASSWORD', 'MAIL_*']);
    expect(isEnvAllowed('SMTP_PASSWORD', allow)).toBe(true);
    expect(isEnvAllowed('MAIL_USER', allow)).toBe(true);
    expect(isEnvAllowed('TAKES_DATABASE_URL', allow)).toBe(false);
    expect(parseEnvAllowList(undefined)).toEqual([]);
  });

  it('resolves allowed variables at any depth, refuses others and unset ones', () => {
    const env = { SMTP_PASSWORD: 'pw', MAIL_USER: 'u', TAKES_DATABASE_URL: 'postgres://secret' };
    expect(resolveEnvRefs({ a: 'x{{env.SMTP_PASSWORD}}y', b: ['{{ env.MAIL_USER }}'], n: 3 }, env, allow)).toEqual({ a: 'xpwy', b: ['u'], n: 3 });
    expect(() => resolveEnvRefs('{{env.TAKES_DATABASE_URL}}', env, allow)).toThrow(/not in TAKES_EMAIL_ENV_ALLOW/);
    expect(() => resolveEnvRefs('{{env.MAIL_PASS}}', env, allow)).toThrow(/not set/);
    expect(envRefsIn({ a: ['{{env.A}} {{env.B}}'] })).toEqual(['A', 'B']);
  });
});

describe('retry schedule', () => {
  const policy = { maxAttempts: 4, baseMs: 1000, maxMs: 3000 };

  it('doubles the wait after each failure up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, policy))).toEqual([1000, 2000, 3000, 3000, 3000]);
    expect(retryDelayMs(200, { ...policy, maxMs: Number.MAX_SAFE_INTEGER })).toBeLessThan(Number.POSITIVE_INFINITY);
  });

  it('retries until the last attempt, then gives up', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(afterFailedAttempt(1, policy, now)).toEqual({ status: 'retrying', nextAttemptAt: new Date('2026-01-01T00:00:01Z') });
    expect(afterFailedAttempt(3, policy, now)).toEqual({ status: 'retrying', nextAttemptAt: new Date('2026-01-01T00:00:03Z') });
    expect(afterFailedAttempt(4, policy, now)).toEqual({ status: 'failed' });
  });
});

describe('provider configs', () => {
  const allow = ['SMTP_PASSWORD'];
  const smtp = { host: 'smtp.example.com', port: 587, tls: true, username: 'noreply@x.com', password: '{{env.SMTP_PASSWORD}}', from: 'noreply@x.com', from_name: 'X' };

  it("accepts Rocket's smtp config with defaults", () => {
    expect(parseProviderInput({ name: 'primary', provider: 'smtp', config: smtp }, allow)).toEqual({ name: 'primary', provider: 'smtp', config: smtp, priority: 0, active: true });
    expect(parseProviderInput({ name: 'p', provider: 'smtp', config: { host: 'h', from: 'a@b' } }, allow).config).toMatchObject({ port: 587, tls: true });
  });

  it('refuses a plaintext secret, a reference outside the allow-list, unknown fields and providers', () => {
    const fail = (body: unknown) => {
      try {
        parseProviderInput(body, allow);
      } catch (error) {
        return (error as { details: { field: string; rule: string }[] }).details.map((d) => `${d.field}:${d.rule}`);
      }
      throw new Error('accepted');
    };
    expect(fail({ name: 'p', provider: 'smtp', config: { ...smtp, password: 'hunter2' } })).toEqual(['config.password:secret']);
    expect(fail({ name: 'p', provider: 'smtp', config: { ...smtp, password: '{{env.TAKES_JWT_SECRET}}' } })).toEqual(['config:env_allow']);
    expect(fail({ name: 'p', provider: 'sendgrid', config: smtp, id: 'x' })).toEqual(['id:unknown', 'provider:enum']);
    expect(fail({ name: 'p', provider: 'smtp', config: { ...smtp, port: 0, pool: true } })).toEqual(['config.pool:unknown', 'config.port:range']);
  });

  it('keeps what an update leaves out', () => {
    const existing = parseProviderInput({ name: 'p', provider: 'smtp', config: smtp, priority: 5 }, allow);
    expect(parseProviderInput({ active: false }, allow, existing)).toMatchObject({ name: 'p', priority: 5, active: false, config: smtp });
  });

  it('maps tls to implicit TLS on 465, STARTTLS elsewhere, none when off', () => {
    expect(smtpTransportOptions({ ...smtp, port: 465 }, 5000)).toMatchObject({ secure: true, requireTLS: false, ignoreTLS: false });
    expect(smtpTransportOptions(smtp, 5000)).toMatchObject({ secure: false, requireTLS: true, auth: { user: 'noreply@x.com' } });
    expect(smtpTransportOptions({ ...smtp, tls: false, username: undefined }, 5000)).toMatchObject({ secure: false, requireTLS: false, ignoreTLS: true });
    expect(smtpTransportOptions({ ...smtp, username: undefined }, 5000)).not.toHaveProperty('auth');
  });
});

describe('template bodies', () => {
  it('needs a key, a subject and a body; refuses unknown fields; keeps the key on update', () => {
    const t = parseTemplateInput({ key: 'order_confirmation', subject: 'Order {{id}}', body_text: 'Thanks' });
    expect(t).toEqual({ key: 'order_confirmation', subject: 'Order {{id}}', body_html: '', body_text: 'Thanks', active: true });
    expect(() => parseTemplateInput({ key: 'Bad Key', subject: '' })).toThrow('invalid email template');
    expect(() => parseTemplateInput({ key: 'a', subject: 's', body_text: 't', id: 'x' })).toThrow('invalid email template');
    expect(parseTemplateInput({ subject: 'New' }, t)).toMatchObject({ key: 'order_confirmation', subject: 'New', body_text: 'Thanks' });
    expect(() => parseTemplateInput({ key: 'other' }, t)).toThrow('invalid email template');
  });
});
