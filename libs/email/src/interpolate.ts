/** Values a template may name: `{{email}}`, `{{token}}`, `{{app_name}}` … */
export type TemplateVariables = Record<string, string | number | boolean | null | undefined>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Replaces each `{{name}}` with its variable, as Rocket does: an unknown name becomes the
 * empty string. In `html` mode every value is HTML-escaped, so a value cannot add markup
 * to the mail. `{{env.X}}` is never read from the environment here (that would let a
 * template print a secret); it is just an unknown name.
 */
export function interpolate(template: string, variables: TemplateVariables, mode: 'html' | 'text'): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
    const text = value === undefined || value === null ? '' : String(value);
    return mode === 'html' ? escapeHtml(text) : text;
  });
}

export interface EmailTemplateBody {
  subject: string;
  body_html: string;
  body_text: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** A template with its variables filled in; the subject is one line (no header injection). */
export function renderEmail(template: EmailTemplateBody, variables: TemplateVariables): RenderedEmail {
  return {
    subject: interpolate(template.subject, variables, 'text').replace(/[\r\n]+/g, ' ').trim(),
    html: interpolate(template.body_html, variables, 'html'),
    text: interpolate(template.body_text, variables, 'text'),
  };
}
