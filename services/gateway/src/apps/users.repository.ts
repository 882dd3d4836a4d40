import type { Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import { hashPassword, type UserAttribute } from '@takes/auth';
import { uuidv7 } from '@takes/ids';
import type { GatewayDb } from '../tables/gateway.db';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  roles: string[];
  attributes: Record<string, UserAttribute>;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface UserRow {
  id: string;
  app: string;
  email: string;
  password_hash: string;
  roles: string[];
  attributes: Record<string, UserAttribute>;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    roles: row.roles,
    attributes: row.attributes ?? {},
    active: row.active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

export async function createUser(
  db: Kysely<GatewayDb>,
  app: string,
  input: { email: string; password: string; roles: string[]; attributes?: Record<string, UserAttribute>; active?: boolean },
): Promise<UserRow> {
  try {
    return (await db
      .insertInto('users')
      .values({
        id: uuidv7(),
        app,
        email: input.email,
        password_hash: await hashPassword(input.password),
        roles: input.roles,
        attributes: JSON.stringify(input.attributes ?? {}),
        active: input.active ?? true,
      })
      .returningAll()
      .executeTakeFirstOrThrow()) as UserRow;
  } catch (error) {
    if (isUniqueViolation(error)) throw new TakesError('CONFLICT', `a user with email ${input.email} exists`);
    throw error;
  }
}

/** Creates a user unless one with that email exists (first-start seeds). */
export async function seedUser(db: Kysely<GatewayDb>, app: string, email: string, password: string, roles: string[]): Promise<void> {
  const existing = await findUserByEmail(db, app, email);
  if (existing) return;
  try {
    await createUser(db, app, { email, password, roles });
  } catch (error) {
    if (!(error instanceof TakesError && error.code === 'CONFLICT')) throw error;
  }
}

export async function findUserByEmail(db: Kysely<GatewayDb>, app: string, email: string): Promise<UserRow | undefined> {
  return (await db
    .selectFrom('users')
    .selectAll()
    .where('app', '=', app)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst()) as UserRow | undefined;
}

export async function findUser(db: Kysely<GatewayDb>, app: string, id: string): Promise<UserRow | undefined> {
  return (await db.selectFrom('users').selectAll().where('app', '=', app).where('id', '=', id).executeTakeFirst()) as UserRow | undefined;
}

export async function listUsers(db: Kysely<GatewayDb>, app: string): Promise<UserRow[]> {
  return (await db.selectFrom('users').selectAll().where('app', '=', app).orderBy('created_at').execute()) as UserRow[];
}

export async function updateUser(
  db: Kysely<GatewayDb>,
  app: string,
  id: string,
  changes: { email?: string; password?: string; roles?: string[]; attributes?: Record<string, UserAttribute>; active?: boolean },
): Promise<UserRow | undefined> {
  try {
    return (await db
      .updateTable('users')
      .set({
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.password !== undefined ? { password_hash: await hashPassword(changes.password) } : {}),
        ...(changes.roles !== undefined ? { roles: changes.roles } : {}),
        ...(changes.attributes !== undefined ? { attributes: JSON.stringify(changes.attributes) } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        updated_at: new Date(),
      })
      .where('app', '=', app)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()) as UserRow | undefined;
  } catch (error) {
    if (isUniqueViolation(error)) throw new TakesError('CONFLICT', `a user with email ${changes.email} exists`);
    throw error;
  }
}

export async function deleteUser(db: Kysely<GatewayDb>, app: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('app', '=', app).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
