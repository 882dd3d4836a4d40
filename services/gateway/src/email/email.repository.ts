import type { Kysely, Selectable } from 'kysely';
import { TakesError } from '@takes/contracts';
import { BUILT_IN_TEMPLATES, isBuiltInTemplate, type EmailProviderInput, type EmailTemplateBody, type EmailTemplateInput } from '@takes/email';
import { uuidv7 } from '@takes/ids';
import { isUniqueViolation } from '@takes/db';
import type { EmailLogsTable, EmailProvidersTable, EmailTemplatesTable, GatewayDb } from '../tables/gateway.db';

export type EmailProviderRow = Selectable<EmailProvidersTable>;
export type EmailTemplateRow = Selectable<EmailTemplatesTable>;
export type EmailLogRow = Selectable<EmailLogsTable>;

/** A provider as the API shows it: its config as written (references, never resolved secrets). */
export function providerView(row: EmailProviderRow) {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    config: row.config,
    priority: row.priority,
    active: row.active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function providerInput(row: EmailProviderRow): EmailProviderInput {
  return { name: row.name, provider: 'smtp', config: row.config as unknown as EmailProviderInput['config'], priority: row.priority, active: row.active };
}

export function templateView(row: EmailTemplateRow) {
  return {
    id: row.id,
    key: row.key,
    subject: row.subject,
    body_html: row.body_html,
    body_text: row.body_text,
    active: row.active,
    built_in: false,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** A log row as the API shows it: never its variables (they may hold a token). */
export function logView(row: EmailLogRow) {
  return {
    id: row.id,
    provider_id: row.provider_id,
    template_key: row.template_key,
    to_email: row.to_email,
    subject: row.subject,
    status: row.status,
    provider_response: row.provider_response,
    error: row.error,
    attempt: row.attempt,
    next_attempt_at: row.status === 'pending' || row.status === 'retrying' ? row.next_attempt_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const conflict = (what: string) => new TakesError('CONFLICT', what);

export async function insertProvider(db: Kysely<GatewayDb>, app: string, input: EmailProviderInput): Promise<EmailProviderRow> {
  try {
    return await db
      .insertInto('email_providers')
      .values({ id: uuidv7(), app, name: input.name, provider: input.provider, config: JSON.stringify(input.config), priority: input.priority, active: input.active })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`an email provider named ${input.name} exists`);
    throw error;
  }
}

export async function updateProvider(db: Kysely<GatewayDb>, app: string, id: string, input: EmailProviderInput): Promise<EmailProviderRow | undefined> {
  try {
    return await db
      .updateTable('email_providers')
      .set({ name: input.name, provider: input.provider, config: JSON.stringify(input.config), priority: input.priority, active: input.active, updated_at: new Date() })
      .where('app', '=', app)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`an email provider named ${input.name} exists`);
    throw error;
  }
}

export function findProvider(db: Kysely<GatewayDb>, app: string, id: string): Promise<EmailProviderRow | undefined> {
  return db.selectFrom('email_providers').selectAll().where('app', '=', app).where('id', '=', id).executeTakeFirst();
}

export function listProviders(db: Kysely<GatewayDb>, app: string): Promise<EmailProviderRow[]> {
  return db.selectFrom('email_providers').selectAll().where('app', '=', app).orderBy('priority').orderBy('created_at').execute();
}

/** The providers a mail is tried with, in order: active ones, lowest priority first. */
export function activeProviders(db: Kysely<GatewayDb>, app: string): Promise<EmailProviderRow[]> {
  return db.selectFrom('email_providers').selectAll().where('app', '=', app).where('active', '=', true).orderBy('priority').orderBy('created_at').execute();
}

export async function deleteRow(db: Kysely<GatewayDb>, table: 'email_providers' | 'email_templates', app: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom(table).where('app', '=', app).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertTemplate(db: Kysely<GatewayDb>, app: string, input: EmailTemplateInput): Promise<EmailTemplateRow> {
  try {
    return await db.insertInto('email_templates').values({ id: uuidv7(), app, ...input }).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a template with key ${input.key} exists`);
    throw error;
  }
}

export function updateTemplate(db: Kysely<GatewayDb>, app: string, id: string, input: EmailTemplateInput): Promise<EmailTemplateRow | undefined> {
  return db
    .updateTable('email_templates')
    .set({ subject: input.subject, body_html: input.body_html, body_text: input.body_text, active: input.active, updated_at: new Date() })
    .where('app', '=', app)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function findTemplate(db: Kysely<GatewayDb>, app: string, id: string): Promise<EmailTemplateRow | undefined> {
  return db.selectFrom('email_templates').selectAll().where('app', '=', app).where('id', '=', id).executeTakeFirst();
}

export function listTemplates(db: Kysely<GatewayDb>, app: string): Promise<EmailTemplateRow[]> {
  return db.selectFrom('email_templates').selectAll().where('app', '=', app).orderBy('key').execute();
}

/**
 * The template a mail with this key is sent with: the app's own (when active), else the
 * built-in one; undefined when the app switched it off or no such template exists.
 */
export async function resolveTemplate(db: Kysely<GatewayDb>, app: string, key: string): Promise<EmailTemplateBody | undefined> {
  const own = await db.selectFrom('email_templates').selectAll().where('app', '=', app).where('key', '=', key).executeTakeFirst();
  if (own) return own.active ? own : undefined;
  return isBuiltInTemplate(key) ? BUILT_IN_TEMPLATES[key] : undefined;
}

export interface QueuedEmail {
  template_key: string;
  to_email: string;
  variables: Record<string, string>;
}

/**
 * Writes a mail to the delivery log (the outbox) when the app has an active provider;
 * call it inside the transaction that makes what the mail carries, so both or neither
 * are kept. Answers the log id, or null when there is no provider to send with.
 */
export async function queueEmail(db: Kysely<GatewayDb>, app: string, mail: QueuedEmail): Promise<string | null> {
  const provider = await db.selectFrom('email_providers').select('id').where('app', '=', app).where('active', '=', true).limit(1).executeTakeFirst();
  if (!provider) return null;
  const id = uuidv7();
  await db.insertInto('email_logs').values({ id, app, template_key: mail.template_key, to_email: mail.to_email, variables: JSON.stringify(mail.variables) }).execute();
  return id;
}

export interface LogFilter {
  status?: string;
  template_key?: string;
  to_email?: string;
}

export function listLogs(db: Kysely<GatewayDb>, app: string, filter: LogFilter, limit: number): Promise<EmailLogRow[]> {
  let query = db.selectFrom('email_logs').selectAll().where('app', '=', app);
  if (filter.status) query = query.where('status', '=', filter.status as EmailLogRow['status']);
  if (filter.template_key) query = query.where('template_key', '=', filter.template_key);
  if (filter.to_email) query = query.where((eb) => eb(eb.fn('lower', ['to_email']), '=', filter.to_email!.toLowerCase()));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function findLog(db: Kysely<GatewayDb>, app: string, id: string): Promise<EmailLogRow | undefined> {
  return db.selectFrom('email_logs').selectAll().where('app', '=', app).where('id', '=', id).executeTakeFirst();
}
