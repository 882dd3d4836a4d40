import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFLICTS, ReadModel, TakesError, type Conflicts } from '@takes/contracts';
import { recordKey } from '@takes/metadata';
import { actorOf } from '../http/request-context';
import { MetadataService } from '../metadata/metadata.service';
import { ReadYourWrites } from '../reads/read-your-writes';
import { RecordAccess } from '../permissions/record-access';
import { writeBody } from '../records/records.controller';
import { deviceHash, parseWriteHeaders } from '../records/write-headers';

/**
 * The takes: a record's per-field history, its graph, a reviewer's pick, and the review
 * queue. Served by the conflicts service over NATS.
 */
@ApiTags('takes')
@Controller('api/:app')
export class TakesController {
  constructor(
    @Inject(CONFLICTS) private readonly conflicts: Conflicts,
    private readonly metadata: MetadataService,
    private readonly consistency: ReadYourWrites,
    private readonly access: RecordAccess,
  ) {}

  @Get('_conflicts')
  @ApiOperation({ summary: 'The review queue: records with contested, unresolved fields (entity, user, device, min_age seconds, page, per_page); only records the caller may read' })
  async queue(@Param('app') app: string, @Query() query: Record<string, string>, @Req() req: FastifyRequest) {
    const principal = req.principal!;
    // The entities the caller may read, and the row filters of those they may read in part.
    const readable = query.entity
      ? new Map([[query.entity, this.access.readable(app, principal, this.metadata.entity(app, query.entity))]])
      : this.access.readableEntities(app, principal);
    const everything = principal.roles.includes('admin');
    await this.consistency.waitFor(this.consistency.target(req.principal!.userId, req.headers['x-takes-min-position'] ?? query.min_position), ReadModel.review_queue);
    const int = (value: string | undefined, name: string) => {
      if (value === undefined || value === '') return undefined;
      if (!/^\d{1,9}$/.test(value)) throw new TakesError('INVALID_PAYLOAD', `${name} must be a whole number`);
      return Number(value);
    };
    const page = await this.conflicts.queue({
      app,
      entity: query.entity || undefined,
      ...(everything ? {} : { entities: [...readable.keys()] }),
      user: query.user || undefined,
      // Devices are stored hashed (X-Takes-Device): the id a client sends is hashed the same
      // way; a hash as the queue lists it is taken as it is.
      device: query.device ? (/^d:[0-9a-f]{16}$/.test(query.device) ? query.device : deviceHash(app, query.device)) : undefined,
      min_age_seconds: int(query.min_age, 'min_age'),
      page: int(query.page, 'page'),
      per_page: int(query.per_page, 'per_page'),
    }, { traceparent: req.traceparent });
    if (everything || [...readable.values()].every((rows) => rows === undefined)) return page;
    // Records of entities read in part: only those whose current state the caller may read.
    const kept = new Set<string>();
    for (const [name, rows] of readable) {
      const ids = page.data.filter((item) => item.entity === name).map((item) => item.id);
      for (const id of await this.access.readableIds(app, this.metadata.entity(app, name), rows, ids)) kept.add(`${name}\u001f${id}`);
    }
    return { ...page, data: page.data.filter((item) => kept.has(`${item.entity}\u001f${item.id}`)) };
  }

  @Get(':entity/:id/history')
  @ApiOperation({ summary: "Each field's takes: every value it had or was offered, with version, user, device and the three timestamps" })
  async history(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    await this.readable(app, entity, id, req);
    return { data: await this.conflicts.history({ app, entity, entity_id: id }, { traceparent: req.traceparent }) };
  }

  @Get(':entity/:id/graph')
  @ApiOperation({ summary: 'Branch/submit/commit graph of the record (nodes, edges, lanes); ?format=svg draws it' })
  async graph(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Query('format') format: string | undefined, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    await this.readable(app, entity, id, req);
    if (format !== undefined && format !== 'json' && format !== 'svg') throw new TakesError('INVALID_PAYLOAD', 'format is json or svg');
    const graph = await this.conflicts.graph({ app, entity, entity_id: id, format: format ?? 'json' }, { traceparent: req.traceparent });
    if (format === 'svg') {
      void res.header('content-type', 'image/svg+xml');
      return graph.svg;
    }
    return { data: graph };
  }

  @Post(':entity/:id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: "Pick a field's value: {field, take: <event id>} or {field, value}; appends a resolved event" })
  async resolve(@Param('app') app: string, @Param('entity') entity: string, @Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply) {
    // A pick is an update the event store's decide checks; the record must be one the caller may read now.
    const definition = await this.readable(app, entity, id, req);
    this.access.assertMayAct(app, req.principal!, definition, 'update');
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be {field, take} or {field, value}');
    const { field, take, value, base_version } = body as { field?: unknown; take?: unknown; value?: unknown; base_version?: unknown };
    if (typeof field !== 'string' || (take !== undefined && typeof take !== 'string')) {
      throw new TakesError('VALIDATION_FAILED', 'invalid pick', [{ field: 'field', rule: 'type', message: 'field is a name or JSON Pointer; take is an event id' }]);
    }
    const headers = parseWriteHeaders(req.headers, app);
    void res.header('Idempotency-Key', headers.commandId);
    const result = await this.conflicts.resolve({
      app, entity, entity_id: id, field, take, value,
      base_version: typeof base_version === 'number' ? base_version : headers.baseVersion,
      command_id: headers.commandId,
      user: actorOf(req.principal!),
    }, { traceparent: req.traceparent });
    this.consistency.wrote(req.principal!.userId, result.position);
    void res.header('ETag', `"${result.version}"`).header('X-Takes-Position', String(result.position));
    return writeBody(definition, result, false);
  }

  /** The entity, once the record is one the caller may read now (a record outside their read permission is not found). */
  private async readable(app: string, entity: string, id: string, req: FastifyRequest) {
    const definition = this.metadata.entity(app, entity);
    // A key that cannot be one of its type (a NUL in it, a uuid that is none) is a 400 before any lookup.
    recordKey(definition, id);
    await this.access.assertReadable(app, req.principal!, definition, id, req.headers['x-takes-min-position']);
    return definition;
  }
}
