import { Body, Controller, Delete, Get, HttpCode, Inject, Optional, Param, Post, Put, Req, type Type } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Allow } from '../auth/auth.guard';
import { uuidv7 } from '@takes/ids';
import type { MetaKind } from '@takes/metadata';
import { ActionSecrets, type ActionSourceKind } from '../webhooks/action-secrets';
import { MetaAdminService } from './meta-admin.service';

const ACTION_SOURCES: ReadonlySet<MetaKind> = new Set<MetaKind>(['state_machine', 'workflow']);

function withSecret(definition: unknown, secret: string | undefined) {
  return secret === undefined ? definition : { ...(definition as object), webhook_secret: secret };
}

/**
 * The admin routes of one kind of metadata (Rocket's JSON): list, define, get,
 * redefine, remove. A change is in effect for the very next request.
 */
function metaAdminController(kind: MetaKind, path: string, key: 'name' | 'id' = 'name'): Type<unknown> {
  @ApiTags('admin')
  @Controller(`api/:app/_admin/${path}`)
  @Allow('admin')
  class MetaAdminController {
    constructor(
      readonly meta: MetaAdminService,
      @Optional() @Inject(ActionSecrets) readonly secrets?: ActionSecrets,
    ) {}

    /** A state machine's or workflow's webhook actions get their signing secret before it is defined (see ActionSecrets). */
    private secretFor(app: string, id: string, body: unknown, req: FastifyRequest): Promise<string | undefined> {
      if (!ACTION_SOURCES.has(kind) || !this.secrets) return Promise.resolve(undefined);
      return this.secrets.issueBeforeDefine(app, kind as ActionSourceKind, id, body, req.traceparent);
    }

    @Get()
    list(@Param('app') app: string) {
      return { data: this.meta.list(app, kind) };
    }

    @Post()
    @ApiOperation({ summary: `Define a new ${kind}` })
    async create(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest) {
      const id = uuidv7();
      const secret = await this.secretFor(app, id, body, req);
      return { data: withSecret(await this.meta.define(app, kind, body, req.principal!, req.traceparent, undefined, id), secret) };
    }

    @Get(':name')
    get(@Param('app') app: string, @Param('name') name: string) {
      return { data: this.meta.get(app, kind, name) };
    }

    @Put(':name')
    @ApiOperation({ summary: `Redefine a ${kind} (for entities: add fields, remove them (hidden, data kept); a field's type cannot change)` })
    async update(@Param('app') app: string, @Param('name') name: string, @Body() body: unknown, @Req() req: FastifyRequest) {
      const secret = this.meta.exists(app, kind, name) ? await this.secretFor(app, name, body, req) : undefined;
      return { data: withSecret(await this.meta.define(app, kind, body, req.principal!, req.traceparent, name), secret) };
    }

    @Delete(':name')
    @HttpCode(200)
    async remove(@Param('app') app: string, @Param('name') name: string, @Req() req: FastifyRequest) {
      await this.meta.remove(app, kind, name, req.principal!, req.traceparent);
      return { data: { [key]: name, deleted: true } };
    }
  }
  return MetaAdminController;
}

/** `/api/:app/_admin/entities`: entities defined at run time, plus Takes' history and merge_policy. */
export const EntitiesController = metaAdminController('entity', 'entities');
/** `/api/:app/_admin/relations`: relations between entities. */
export const RelationsController = metaAdminController('relation', 'relations');
/** `/api/:app/_admin/rules`: field, expression and computed rules, with server-made ids; run by the event store on every write. */
export const RulesController = metaAdminController('rule', 'rules', 'id');
/** `/api/:app/_admin/state-machines`: state machines on an entity's field, with server-made ids; run by the event store on every write. */
export const StateMachinesController = metaAdminController('state_machine', 'state-machines', 'id');
/** `/api/:app/_admin/permissions`: Rocket's permission rows (entity, action, roles, conditions), with server-made ids; reads filtered by the gateway, writes checked by the event store. */
export const PermissionsController = metaAdminController('permission', 'permissions', 'id');
/** `/api/:app/_admin/workflows`: Rocket's workflows (trigger, context, steps), with server-made ids; run by the workflows service. */
export const WorkflowDefinitionsController = metaAdminController('workflow', 'workflows', 'id');
