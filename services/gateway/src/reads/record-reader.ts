import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import { relationsFrom, visibleRecord, type EntityDefinition } from '@takes/metadata';
import {
  attachIncluded,
  buildIncludeQuery,
  buildListQuery,
  includeKeys,
  includedEntityName,
  INCLUDE_KEY,
  parseListQuery,
  type Include,
} from '@takes/query';
import { appSchema } from '@takes/read-model';
import { MetadataService } from '../metadata/metadata.service';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { emptyWithoutTable } from './missing-table';
import { RecordAccess } from '../permissions/record-access';
import type { Principal } from '../http/request-context';

const READ_OPTIONS = { tombstoneColumn: '_deleted', extraColumns: ['_state', '_version'] };

type Row = Record<string, unknown> & { _state: Record<string, unknown> };

/**
 * Rocket's queries on the projector's read tables: filters, sorts, paging and includes
 * (one extra query per relation). SQL only through kysely with parameters; field names
 * only from metadata. Records are answered from each row's state, so values are exactly
 * what the event store holds.
 */
@Injectable()
export class RecordReader {
  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    private readonly metadata: MetadataService,
    private readonly access: RecordAccess,
  ) {}

  /** A page of the rows the caller may read (403 without a read permission), with the included rows they may read. */
  async list(app: string, principal: Principal, entity: EntityDefinition, query: Record<string, unknown>, maxPerPage: number) {
    const relations = relationsFrom(this.metadata.metadata(app), entity.name);
    const parsed = parseListQuery(entity, relations, query, { defaultPerPage: 25, maxPerPage });
    const options = { ...READ_OPTIONS, allowedRows: this.access.readable(app, principal, entity) };
    const { rows, count } = buildListQuery(this.db, { schema: appSchema(app), table: entity.table }, entity, parsed, options);
    const [found, counted] = await Promise.all([emptyWithoutTable(() => rows.execute()), emptyWithoutTable(() => count.executeTakeFirst())]);
    let data = (found as Row[]).map((row) => visibleRecord(entity, row._state));
    for (const include of parsed.include) data = await this.include(app, principal, include, data);
    const total = Number((counted as { total?: unknown } | undefined)?.total ?? 0);
    return { data, meta: { page: parsed.page, per_page: parsed.perPage, total, total_pages: Math.ceil(total / parsed.perPage) } };
  }

  /** One record, not found unless the caller may read it. */
  async one(app: string, principal: Principal, entity: EntityDefinition, id: string, query: Record<string, unknown>) {
    const relations = relationsFrom(this.metadata.metadata(app), entity.name);
    const pk = entity.primary_key.field;
    const parsed = parseListQuery(entity, relations, { include: query.include, [`filter[${pk}]`]: id, per_page: '1' }, { defaultPerPage: 1, maxPerPage: 1 });
    const options = { ...READ_OPTIONS, allowedRows: this.access.readable(app, principal, entity) };
    const { rows } = buildListQuery(this.db, { schema: appSchema(app), table: entity.table }, entity, parsed, options);
    const found = (await emptyWithoutTable(() => rows.execute())) as Row[];
    if (found.length === 0) throw new TakesError('NOT_FOUND', `${entity.name} ${id} not found`);
    let data = [visibleRecord(entity, found[0]._state)];
    for (const include of parsed.include) data = await this.include(app, principal, include, data);
    return { data: data[0], version: Number((found[0] as Record<string, unknown>)._version ?? 0) };
  }

  private async include(app: string, principal: Principal, include: Include, records: Record<string, unknown>[]) {
    const related = this.metadata.entity(app, includedEntityName(include));
    const keys = includeKeys(include, records);
    const allowedRows = this.access.includable(app, principal, related);
    if (keys.length === 0 || allowedRows?.length === 0) return attachIncluded(include, records, []);
    const query = buildIncludeQuery(this.db, appSchema(app), include, related, keys, { ...READ_OPTIONS, allowedRows });
    const rows = (await emptyWithoutTable(() => query.execute())) as Row[];
    return attachIncluded(include, records, rows.map((row) => ({ ...visibleRecord(related, row._state), [INCLUDE_KEY]: row[INCLUDE_KEY] })));
  }
}
