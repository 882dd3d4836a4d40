import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { APP_NAME, TakesError } from '@takes/contracts';
import { PLATFORM_AUDIENCE } from '@takes/auth';
import { appSchema } from '@takes/read-model';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { seedUser } from './users.repository';

/** An app as Rocket shows it. */
export interface AppView {
  name: string;
  display_name: string;
  db_name: string;
  db_driver: string;
  status: string;
  created_at: string;
}

export const SEED_PASSWORD = 'changeme';


/**
 * Apps of this deployment. The set of app names is cached for a few seconds so the
 * check on every request costs nothing; this replica's own changes apply at once.
 */
@Injectable()
export class AppsService {
  private cache: { names: Set<string>; at: number } | undefined;

  constructor(@Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>) {}

  async exists(name: string): Promise<boolean> {
    if (!this.cache || Date.now() - this.cache.at > 5_000) {
      const rows = await this.db.selectFrom('apps').select('name').execute();
      this.cache = { names: new Set(rows.map((r) => r.name)), at: Date.now() };
    }
    return this.cache.names.has(name);
  }

  async list(): Promise<AppView[]> {
    const rows = await this.db.selectFrom('apps').selectAll().orderBy('created_at').execute();
    return rows.map(view);
  }

  async get(name: string): Promise<AppView> {
    const row = await this.db.selectFrom('apps').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw new TakesError('APP_NOT_FOUND', `app ${name} not found`);
    return view(row);
  }

  /** Creates an app, its read schema and its admin (admin@localhost / changeme). */
  async create(input: unknown): Promise<AppView> {
    const body = (input ?? {}) as { name?: unknown; display_name?: unknown; db_driver?: unknown };
    const details = [];
    if (typeof body.name !== 'string' || !APP_NAME.test(body.name) || body.name === PLATFORM_AUDIENCE) {
      details.push({ field: 'name', rule: 'pattern', message: 'name must match ^[a-z][a-z0-9_-]{0,62}$' });
    }
    if (body.display_name !== undefined && typeof body.display_name !== 'string') {
      details.push({ field: 'display_name', rule: 'type', message: 'display_name must be a string' });
    }
    if (body.db_driver !== undefined && body.db_driver !== 'postgres') {
      details.push({ field: 'db_driver', rule: 'enum', message: 'db_driver must be postgres' });
    }
    if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid app', details);
    const name = body.name as string;
    const inserted = await this.db
      .insertInto('apps')
      .values({ name, display_name: (body.display_name as string | undefined) ?? name })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) throw new TakesError('CONFLICT', `app ${name} exists`);
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(appSchema(name))}`.execute(this.db);
    await seedUser(this.db, name, 'admin@localhost', SEED_PASSWORD, ['admin']);
    this.cache = undefined;
    return view(inserted);
  }

  /** Removes an app, its users and its read schema. Its events stay in the event store. */
  async remove(name: string): Promise<void> {
    const deleted = await this.db.deleteFrom('apps').where('name', '=', name).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new TakesError('APP_NOT_FOUND', `app ${name} not found`);
    for (const table of ['invites', 'email_logs', 'email_templates', 'email_providers', 'users'] as const) {
      await this.db.deleteFrom(table).where('app', '=', name).execute();
    }
    await sql`DROP SCHEMA IF EXISTS ${sql.id(appSchema(name))} CASCADE`.execute(this.db);
    this.cache = undefined;
  }

  /** First start: the platform admin and, unless disabled, the default app with its admin. */
  async seed(defaultApp: string): Promise<void> {
    await seedUser(this.db, PLATFORM_AUDIENCE, 'platform@localhost', SEED_PASSWORD, ['platform_admin']);
    if (defaultApp && !(await this.exists(defaultApp))) {
      try {
        await this.create({ name: defaultApp, display_name: defaultApp });
      } catch (error) {
        if (!(error instanceof TakesError && error.code === 'CONFLICT')) throw error;
      }
    }
  }
}

function view(row: { name: string; display_name: string; db_driver: string; status: string; created_at: Date }): AppView {
  return {
    name: row.name,
    display_name: row.display_name,
    db_name: appSchema(row.name),
    db_driver: row.db_driver,
    status: row.status,
    created_at: row.created_at.toISOString(),
  };
}
