import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import { permissionValue, permissionsOf, type EntityDefinition } from '@takes/metadata';
import { ADMIN_ROLE, accessFor, type PermissionAction, type ResolvedCondition, type RowAccess } from '@takes/permissions';
import { allowedRowsCondition, type Filter } from '@takes/query';
import { appSchema } from '@takes/read-model';
import { actorOf, type Principal } from '../http/request-context';
import { MetadataService } from '../metadata/metadata.service';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { emptyWithoutTable } from '../reads/missing-table';
import { ReadYourWrites } from '../reads/read-your-writes';

/** The rows a read may return: every row (undefined), or the filters of any one permission (an OR of ANDs; empty: none). */
export type ReadableRows = readonly (readonly Filter[])[] | undefined;

function asFilter(condition: ResolvedCondition): Filter {
  const values = condition.values as (string | number | boolean)[];
  return condition.operator === 'in' || condition.operator === 'not_in'
    ? { field: condition.field, op: condition.operator, values }
    : { field: condition.field, op: condition.operator, value: values[0] };
}

/**
 * Rocket's permissions as the gateway applies them to reads: a read of an entity needs a
 * read permission for one of the caller's roles (403 otherwise), and returns only the
 * rows its conditions allow, as filters on the read tables. A record outside them is
 * not found, on every route that shows it or its past (its events, versions, takes and
 * graph): what a user may see of a record is decided by the record as it is now. Writes
 * are checked by the event store's decide; the gateway only refuses early a role that
 * has no permission for the action at all.
 */
@Injectable()
export class RecordAccess {
  constructor(
    private readonly metadata: MetadataService,
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    private readonly consistency: ReadYourWrites,
  ) {}

  access(app: string, principal: Principal, entity: EntityDefinition, action: PermissionAction): RowAccess {
    const metadata = this.metadata.metadata(app);
    return accessFor(permissionsOf(metadata, entity.name, action), entity.name, action, actorOf(principal), permissionValue(entity));
  }

  /** 403 when none of the caller's roles may do the action on the entity at all. */
  assertMayAct(app: string, principal: Principal, entity: EntityDefinition, action: PermissionAction): void {
    if (this.access(app, principal, entity, action).kind === 'none') throw new TakesError('FORBIDDEN', `no permission to ${action} ${entity.name}`);
  }

  /** The rows of the entity the caller may read (403 without a read permission). */
  readable(app: string, principal: Principal, entity: EntityDefinition): ReadableRows {
    const access = this.access(app, principal, entity, 'read');
    if (access.kind === 'none') throw new TakesError('FORBIDDEN', `no permission to read ${entity.name}`);
    return rowsOf(access);
  }

  /**
   * The app's entities the caller may read, wholly or in part, with their rows; 403 when
   * there is none (a route over the whole app, such as the review queue or `_changes`,
   * is not for a user who may read nothing).
   */
  readableEntities(app: string, principal: Principal): Map<string, ReadableRows> {
    const readable = new Map<string, ReadableRows>();
    for (const entity of this.metadata.metadata(app).entities.values()) {
      const access = this.access(app, principal, entity, 'read');
      if (access.kind !== 'none') readable.set(entity.name, rowsOf(access));
    }
    if (readable.size === 0 && !principal.roles.includes(ADMIN_ROLE)) throw new TakesError('FORBIDDEN', 'no permission to read any entity of this app');
    return readable;
  }

  /** Like readable, but a related entity the caller may not read at all gives no rows (an include leaves them out). */
  includable(app: string, principal: Principal, entity: EntityDefinition): ReadableRows {
    const access = this.access(app, principal, entity, 'read');
    return access.kind === 'none' ? [] : rowsOf(access);
  }

  /**
   * 404 unless the record's current state (in the read table, deleted or not) is among
   * the rows the caller may read; 403 without a read permission. With row conditions, it
   * waits first for the read tables to show the caller's own last write (or `minPosition`).
   */
  async assertReadable(app: string, principal: Principal, entity: EntityDefinition, id: string, minPosition?: string | string[]): Promise<void> {
    const rows = this.readable(app, principal, entity);
    if (rows === undefined) return;
    await this.consistency.waitFor(this.consistency.target(principal.userId, minPosition));
    const found = await this.readableIds(app, entity, rows, [id]);
    if (found.size === 0) throw new TakesError('NOT_FOUND', `${entity.name} ${id} not found`);
  }

  /** Which of these records' current states are among `rows` (their ids as strings). */
  async readableIds(app: string, entity: EntityDefinition, rows: ReadableRows, ids: readonly string[]): Promise<Set<string>> {
    if (rows === undefined) return new Set(ids);
    if (ids.length === 0 || rows.length === 0) return new Set();
    const pk = entity.primary_key.field;
    const db = this.db as unknown as Kysely<any>;
    const found = await emptyWithoutTable(() =>
      db
        .withSchema(appSchema(app))
        .selectFrom(entity.table)
        .select((eb) => eb.cast(eb.ref(pk), 'text').as('id'))
        .where((eb) => eb.and([eb(eb.cast(eb.ref(pk), 'text'), '=', eb.fn.any(eb.val([...ids]))), allowedRowsCondition(eb, '', entity, rows)!]))
        .execute(),
    );
    return new Set((found as { id: string }[]).map((row) => row.id));
  }
}

function rowsOf(access: RowAccess): ReadableRows {
  return access.kind === 'rows' ? access.alternatives.map((conditions) => conditions.map(asFilter)) : undefined;
}
