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

export interface GatewayDb {
  apps: AppsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  settings: SettingsTable;
}
