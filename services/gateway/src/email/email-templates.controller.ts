import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import { BUILT_IN_TEMPLATES, isBuiltInTemplate, parseTemplateInput, renderEmail, type EmailTemplateBody, type TemplateVariables } from '@takes/email';
import { UUID_PATTERN } from '@takes/ids';
import { Allow } from '../auth/auth.guard';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { deleteRow, findTemplate, insertTemplate, listTemplates, templateView, updateTemplate } from './email.repository';

const notFound = (id: string) => new TakesError('NOT_FOUND', `email template ${id} not found`);

function builtInView(key: keyof typeof BUILT_IN_TEMPLATES) {
  return { id: null, key, ...BUILT_IN_TEMPLATES[key], active: true, built_in: true };
}

function previewVariables(body: unknown): TemplateVariables {
  const variables = (body as { variables?: unknown } | null)?.variables ?? {};
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) throw new TakesError('VALIDATION_FAILED', 'variables must be an object', [{ field: 'variables', rule: 'type', message: 'variables must be an object' }]);
  return variables as TemplateVariables;
}

/**
 * `/api/:app/_admin/email/templates` (Rocket's route): `invite`, `welcome`,
 * `password_reset` are built in; a template with one of those keys overrides it, any
 * other key is a custom template. Built-ins are listed with `id: null` and read by key.
 */
@ApiTags('email')
@Controller('api/:app/_admin/email/templates')
@Allow('admin')
export class EmailTemplatesController {
  constructor(@Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>) {}

  @Get()
  @ApiOperation({ summary: "List the app's templates and the built-in ones it does not override" })
  async list(@Param('app') app: string) {
    const own = (await listTemplates(this.db, app)).map(templateView);
    const builtIns = (Object.keys(BUILT_IN_TEMPLATES) as (keyof typeof BUILT_IN_TEMPLATES)[]).filter((key) => !own.some((t) => t.key === key)).map(builtInView);
    return { data: [...own, ...builtIns] };
  }

  @Post()
  @ApiOperation({ summary: 'Create a template {key, subject, body_html, body_text, active} with {{variable}} placeholders' })
  async create(@Param('app') app: string, @Body() body: unknown) {
    return { data: templateView(await insertTemplate(this.db, app, parseTemplateInput(body))) };
  }

  @Get(':id')
  async get(@Param('app') app: string, @Param('id') id: string) {
    return { data: await this.read(app, id) };
  }

  @Put(':id')
  async update(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown) {
    const existing = await this.own(app, id);
    const row = await updateTemplate(this.db, app, id, parseTemplateInput(body, existing));
    if (!row) throw notFound(id);
    return { data: templateView(row) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: "Delete a template; deleting an override of a built-in one brings the built-in one back" })
  async remove(@Param('app') app: string, @Param('id') id: string) {
    await this.own(app, id);
    if (!(await deleteRow(this.db, 'email_templates', app, id))) throw notFound(id);
    return { data: { id, deleted: true } };
  }

  @Post(':id/preview')
  @HttpCode(200)
  @ApiOperation({ summary: 'Render a template with {variables}: {subject, body_html, body_text}' })
  async preview(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown) {
    const template: EmailTemplateBody = await this.read(app, id);
    const rendered = renderEmail(template, previewVariables(body));
    return { data: { subject: rendered.subject, body_html: rendered.html, body_text: rendered.text } };
  }

  private async own(app: string, id: string) {
    if (isBuiltInTemplate(id)) throw new TakesError('VALIDATION_FAILED', `the built-in template ${id} cannot be changed; create a template with key ${id} to override it`);
    const row = UUID_PATTERN.test(id) ? await findTemplate(this.db, app, id) : undefined;
    if (!row) throw notFound(id);
    return row;
  }

  private async read(app: string, id: string) {
    if (isBuiltInTemplate(id)) return builtInView(id);
    const row = UUID_PATTERN.test(id) ? await findTemplate(this.db, app, id) : undefined;
    if (!row) throw notFound(id);
    return templateView(row);
  }
}
