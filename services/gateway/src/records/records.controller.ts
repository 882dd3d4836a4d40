import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EVENT_STORE, TakesError, type AppendResult, type EventStore, type WriteResponse } from '@takes/contracts';
import { recordKey, visibleRecord, type EntityDefinition } from '@takes/metadata';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { MetadataService } from '../metadata/metadata.service';
import { ReadYourWrites } from '../reads/read-your-writes';
import { RecordReader } from '../reads/record-reader';
import { RecordAccess } from '../permissions/record-access';
import { RecordCommands, type RecordEdit } from './record-commands';
import { parseWriteHeaders } from './write-headers';
import { SyncHooks } from '../webhooks/sync-hooks';

/** The body of a write's answer: the record and what happened to the edit (and, for a nested write, to each related record). */
export function writeBody(entity: EntityDefinition, result: AppendResult, deleted: boolean): WriteResponse {
  const data = deleted ? { [entity.primary_key.field]: idValue(entity, result.entity_id) } : visibleRecord(entity, result.record);
  return {
    data,
    meta: {
      outcome: result.outcome,
      version: result.version,
      position: result.position,
      contested: result.contested,
      command_id: result.command_id,
      // A nested write: each related record written (links are `_link_<relation>` records).
      ...(result.related
        ? { related: result.related.map((r) => ({ path: r.path, entity: r.entity, id: r.entity_id, version: r.version, deleted: r.deleted })) }
        : {}),
      ...(result.overwritten ? { overwritten: result.overwritten } : {}),
    },
  };
}

function idValue(entity: EntityDefinition, id: string): string | number {
  const type = entity.primary_key.type as string;
  return type === 'int' || type === 'bigint' ? Number(id) : id;
}

/** Records of an app's entities: Rocket's routes, each write a command to the event store. */
@ApiTags('records')
@Controller('api/:app')
export class RecordsController {
  private readonly maxPerPage: number;

  constructor(
    private readonly commands: RecordCommands,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metadata: MetadataService,
    private readonly reader: RecordReader,
    private readonly consistency: ReadYourWrites,
    private readonly access: RecordAccess,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly syncHooks: SyncHooks,
  ) {
    this.maxPerPage = config.maxPerPage;
  }

  @Post(':entity')
  @ApiOperation({ summary: 'Create a record (the client may give its primary key; UUID v7 recommended)' })
  async create(@Param('app') app: string, @Param('entity') entity: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.write(app, { entity, op: 'create', data: body }, req, res, 201);
  }

  @Put(':entity/:id')
  @ApiOperation({ summary: 'Set the given fields (others keep theirs, null clears one); If-Match gives the base version' })
  async put(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.write(app, { entity, id, op: 'put', data: body }, req, res, 200);
  }

  @Patch(':entity/:id')
  @ApiOperation({ summary: 'Apply an RFC 6902 JSON Patch (application/json-patch+json)' })
  async patch(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.write(app, { entity, id, op: 'patch', patch: body }, req, res, 200);
  }

  @Delete(':entity/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a record (a tombstone event; restore brings it back)' })
  async remove(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.write(app, { entity, id, op: 'delete' }, req, res, 200);
  }

  @Post(':entity/:id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore a deleted record' })
  async restore(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    return this.write(app, { entity, id, op: 'restore' }, req, res, 200);
  }

  @Get(':entity')
  @ApiOperation({ summary: 'List records: filter[field.op]=v (eq neq gt gte lt lte in not_in like), sort=-a,b, page, per_page, include=rel' })
  async list(@Param('app') app: string, @Param('entity') entity: string, @Query() query: Record<string, unknown>, @Req() req: FastifyRequest) {
    const definition = this.metadata.entity(app, entity);
    await this.consistency.waitFor(this.consistency.target(req.principal!.userId, req.headers['x-takes-min-position'] ?? (query.min_position as string | undefined)));
    const { min_position: _ignored, ...rest } = query;
    return this.reader.list(app, req.principal!, definition, rest, this.maxPerPage);
  }

  @Get(':entity/:id')
  @ApiOperation({ summary: 'One record (include=rel for related records); reads wait for your own last write' })
  async get(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Query() query: Record<string, unknown>, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    const definition = this.metadata.entity(app, entity);
    await this.consistency.waitFor(this.consistency.target(req.principal!.userId, req.headers['x-takes-min-position'] ?? (query.min_position as string | undefined)));
    const found = await this.reader.one(app, req.principal!, definition, recordKey(definition, id), query);
    void res.header('ETag', `"${found.version}"`);
    return { data: found.data };
  }

  @Get(':entity/:id/events')
  @ApiOperation({ summary: "The record's events, oldest first (from_version, limit to page)" })
  async events(@Param('app') app: string, @Param('entity') entity: string, @Param('id') rawId: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    const { id } = await this.readable(app, entity, rawId, req);
    const page = await this.store.readStream(
      { app, entity, entity_id: id, from_version: positiveInt(query.from_version, 'from_version') ?? 1, limit: positiveInt(query.limit, 'limit') ?? 100 },
      { traceparent: req.traceparent },
    );
    if (page.events.length === 0 && (positiveInt(query.from_version, 'from_version') ?? 1) === 1) throw new TakesError('NOT_FOUND', `${entity} ${id} not found`);
    return { data: page.events, meta: { next_version: page.next_version } };
  }

  @Get(':entity/:id/at')
  @ApiOperation({ summary: 'The record as it was at a version (?version=) or at a time (?time=)' })
  async at(@Param('app') app: string, @Param('entity') entity: string, @Param('id') rawId: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    const { definition, id } = await this.readable(app, entity, rawId, req);
    const version = positiveInt(query.version, 'version');
    const time = query.time;
    if ((version === undefined) === (time === undefined)) throw new TakesError('INVALID_PAYLOAD', 'give exactly one of version and time');
    if (time !== undefined && Number.isNaN(Date.parse(time))) throw new TakesError('INVALID_PAYLOAD', 'time must be an ISO 8601 date-time');
    const state = await this.store.stateAt(
      { app, entity, entity_id: id, ...(version !== undefined ? { version } : { time: new Date(time!).toISOString() }) },
      { traceparent: req.traceparent },
    );
    return { data: visibleRecord(definition, state.state), meta: { version: state.version, deleted: state.deleted, commit_ts: state.commit_ts } };
  }

  /** The entity and the record's key (checked by its type), once the record is one the caller may read now (after their own last write shows in the read tables). */
  private async readable(app: string, entity: string, rawId: string, req: FastifyRequest): Promise<{ definition: EntityDefinition; id: string }> {
    const definition = this.metadata.entity(app, entity);
    const id = recordKey(definition, rawId);
    await this.access.assertReadable(app, req.principal!, definition, id, req.headers['x-takes-min-position']);
    return { definition, id };
  }

  private async write(app: string, edit: RecordEdit, req: FastifyRequest, res: FastifyReply, status: number) {
    const headers = parseWriteHeaders(req.headers, app);
    void res.header('Idempotency-Key', headers.commandId);
    const { command, entity } = await this.commands.build(app, req.principal!, edit, headers);
    await this.syncHooks.check(command, req.traceparent);
    const result = await this.store.append(command, { traceparent: req.traceparent });
    this.consistency.wrote(req.principal!.userId, result.position);
    void res.status(status).header('ETag', `"${result.version}"`).header('X-Takes-Position', String(result.position));
    return writeBody(entity, result, edit.op === 'delete');
  }
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new TakesError('INVALID_PAYLOAD', `${name} must be a positive integer`);
  return Number(value);
}
