import { TakesError, type ErrorDetail } from '@takes/contracts';
import type { EmailTemplateBody } from './interpolate';

export interface EmailTemplateInput extends EmailTemplateBody {
  key: string;
  active: boolean;
}

/** The templates Takes sends by itself; an app overrides one by creating a template with its key. */
export const BUILT_IN_TEMPLATES: Record<'invite' | 'welcome' | 'password_reset', EmailTemplateBody> = {
  invite: {
    subject: "You've been invited to {{app_name}}",
    body_html:
      "<h2>You've been invited to {{app_name}}</h2>\n" +
      '<p>You have been invited to join <strong>{{app_name}}</strong> with the roles: <strong>{{roles}}</strong>.</p>\n' +
      '<p><a href="{{accept_url}}">Accept the invitation</a> or use this code: <code>{{token}}</code></p>\n' +
      '<p>This invitation expires on {{expires_at}}.</p>\n' +
      "<p>If you didn't expect this invitation, you can ignore this email.</p>",
    body_text:
      "You've been invited to {{app_name}}\n\n" +
      'You have been invited to join {{app_name}} with the roles: {{roles}}.\n\n' +
      'Accept the invitation: {{accept_url}}\nYour invitation code: {{token}}\n\n' +
      'This invitation expires on {{expires_at}}.\n\n' +
      "If you didn't expect this invitation, you can ignore this email.",
  },
  welcome: {
    subject: 'Welcome to {{app_name}}',
    body_html: '<h2>Welcome to {{app_name}}</h2>\n<p>Your account {{email}} is ready, with the roles: <strong>{{roles}}</strong>.</p>',
    body_text: 'Welcome to {{app_name}}\n\nYour account {{email}} is ready, with the roles: {{roles}}.',
  },
  password_reset: {
    subject: 'Reset your password for {{app_name}}',
    body_html:
      '<h2>Reset your password for {{app_name}}</h2>\n' +
      '<p><a href="{{reset_url}}">Choose a new password</a> or use this code: <code>{{token}}</code></p>\n' +
      '<p>The code expires on {{expires_at}} and works once.</p>\n' +
      "<p>If you didn't ask for this, you can ignore this email; your password stays as it is.</p>",
    body_text:
      'Reset your password for {{app_name}}\n\n' +
      'Choose a new password: {{reset_url}}\nYour reset code: {{token}}\n\n' +
      'The code expires on {{expires_at}} and works once.\n\n' +
      "If you didn't ask for this, you can ignore this email; your password stays as it is.",
  },
};

export type BuiltInTemplateKey = keyof typeof BUILT_IN_TEMPLATES;

export function isBuiltInTemplate(key: string): key is BuiltInTemplateKey {
  return Object.prototype.hasOwnProperty.call(BUILT_IN_TEMPLATES, key);
}

const KEY = /^[a-z][a-z0-9_]{0,62}$/;
const MAX_BODY = 100_000;

/**
 * Checks a template body `{key, subject, body_html, body_text, active}`. On update
 * (`existing` given) fields left out keep their value and the key cannot change.
 */
export function parseTemplateInput(body: unknown, existing?: EmailTemplateInput): EmailTemplateInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) {
    if (!['key', 'subject', 'body_html', 'body_text', 'active'].includes(key)) details.push({ field: key, rule: 'unknown', message: `unknown field ${key}` });
  }
  if (existing && input.key !== undefined && input.key !== existing.key) details.push({ field: 'key', rule: 'immutable', message: 'the key of a template cannot change' });
  const merged = { body_html: '', body_text: '', active: true, ...existing, ...input } as Record<string, unknown>;
  if (typeof merged.key !== 'string' || !KEY.test(merged.key)) details.push({ field: 'key', rule: 'pattern', message: 'key must match ^[a-z][a-z0-9_]{0,62}$' });
  if (typeof merged.subject !== 'string' || !merged.subject.trim()) details.push({ field: 'subject', rule: 'required', message: 'subject is required' });
  for (const field of ['subject', 'body_html', 'body_text']) {
    const value = merged[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_BODY)) details.push({ field, rule: 'type', message: `${field} must be a string of at most ${MAX_BODY} characters` });
  }
  if (!merged.body_html && !merged.body_text) details.push({ field: 'body_html', rule: 'required', message: 'body_html or body_text is required' });
  if (typeof merged.active !== 'boolean') details.push({ field: 'active', rule: 'type', message: 'active must be true or false' });
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid email template', details);
  return { key: merged.key as string, subject: merged.subject as string, body_html: merged.body_html as string, body_text: merged.body_text as string, active: merged.active as boolean };
}
