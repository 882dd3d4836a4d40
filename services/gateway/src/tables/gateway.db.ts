import type { UserAttribute } from '@takes/auth';
import type { ColumnType, Generated } from 'kysely';

/** gateway.apps: the apps of this deployment. */
export interface AppsTable {
  name: string;
  display_name: string;
  db_driver: Generated<string>;
  status: Generated<string>;
  created_at: Generated<Date>;
}

/** gateway.users: app users, and platform users under app `_platform`. */
export interface UsersTable {
  id: string;
  app: string;
  email: string;
  password_hash: string;
  roles: string[];
  /** What permission conditions name as `$user.<attribute>`. */
  attributes: ColumnType<Record<string, UserAttribute>, string | undefined, string>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** gateway.refresh_tokens: hashes of refresh tokens, in families for reuse detection. */
export interface RefreshTokensTable {
  token_hash: string;
  family: string;
  user_id: string;
  app: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** gateway.invites: invitations to become a user of an app; the token is kept as its hash. */
export interface InvitesTable {
  id: string;
  app: string;
  email: string;
  roles: string[];
  /** The user's attributes once accepted. */
  attributes: ColumnType<Record<string, UserAttribute>, string | undefined, string>;
  token_hash: string;
  status: ColumnType<'pending' | 'accepted' | 'revoked' | 'expired', 'pending' | undefined, 'accepted' | 'revoked' | 'expired'>;
  expires_at: Date;
  invited_by: string | null;
  user_id: string | null;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}

/** gateway.password_resets: one-time reset tokens (hashes) of app and platform users. */
export interface PasswordResetsTable {
  token_hash: string;
  app: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Generated<Date>;
}

/** gateway.email_providers: an app's ways to send mail, tried by priority (lowest first). */
export interface EmailProvidersTable {
  id: string;
  app: string;
  name: string;
  provider: string;
  /** Secrets only as `{{env.VAR}}` references, resolved when sending. */
  config: ColumnType<Record<string, unknown>, string, string>;
  priority: number;
  active: boolean;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** gateway.email_templates: an app's templates, overriding the built-in ones by key. */
export interface EmailTemplatesTable {
  id: string;
  app: string;
  key: string;
  subject: string;
  body_html: string;
  body_text: string;
  active: boolean;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type EmailStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

/**
 * gateway.email_logs: the delivery log, and the outbox the sender works through.
 * `variables` (which may hold a token) is cleared once the mail is delivered or given up.
 */
export interface EmailLogsTable {
  id: string;
  app: string;
  template_key: string;
  to_email: string;
  subject: Generated<string>;
  variables: ColumnType<Record<string, string> | null, string | null, string | null>;
  status: ColumnType<EmailStatus, EmailStatus | undefined, EmailStatus>;
  attempt: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  provider_id: string | null;
  provider_response: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  error: string | null;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface GatewayDb {
  apps: AppsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  settings: SettingsTable;
  invites: InvitesTable;
  password_resets: PasswordResetsTable;
  email_providers: EmailProvidersTable;
  email_templates: EmailTemplatesTable;
  email_logs: EmailLogsTable;
}
