import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { TakesError, type ErrorDetail } from '@takes/contracts';
import { isEmailAddress, normalizeEmail } from '@takes/auth';
import { UUID_PATTERN } from '@takes/ids';
import { Allow } from '../auth/auth.guard';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { findLog, listLogs, logView, queueEmail, resolveTemplate } from './email.repository';
import { EmailSender } from './email-sender';

function parseSend(body: unknown): { template: string; to: string; variables: Record<string, string> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) if (!['template', 'to', 'variables'].includes(key)) details.push({ field: key, rule: 'unknown', message: `unknown field ${key}` });
  if (typeof input.template !== 'string' || !input.template) details.push({ field: 'template', rule: 'required', message: 'template is required' });
  const to = typeof input.to === 'string' ? normalizeEmail(input.to) : '';
  if (!isEmailAddress(to)) details.push({ field: 'to', rule: 'format', message: 'to must be an address' });
  const variables = input.variables ?? {};
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables) || Object.values(variables).some((v) => typeof v === 'object' && v !== null)) {
    details.push({ field: 'variables', rule: 'type', message: 'variables must be an object of plain values' });
  }
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid email', details);
  const flat = Object.fromEntries(Object.entries(variables as Record<string, unknown>).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
  return { template: input.template as string, to, variables: flat };
}

/** `/api/:app/_admin/email/logs` and `/send`: the delivery log, and mail an admin sends with a template. */
@ApiTags('email')
@Controller('api/:app/_admin/email')
@Allow('admin')
export class EmailLogsController {
  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    private readonly sender: EmailSender,
  ) {}

  @Get('logs')
  @ApiOperation({ summary: 'The delivery log, newest first (?status, ?template_key, ?to_email, ?limit up to 500)' })
  async list(@Param('app') app: string, @Query() query: Record<string, string | undefined>) {
    const limit = Math.min(500, Math.max(1, Number(query.limit) || 100));
    return { data: (await listLogs(this.db, app, { status: query.status, template_key: query.template_key, to_email: query.to_email }, limit)).map(logView) };
  }

  @Get('logs/:id')
  async get(@Param('app') app: string, @Param('id') id: string) {
    const row = UUID_PATTERN.test(id) ? await findLog(this.db, app, id) : undefined;
    if (!row) throw new TakesError('NOT_FOUND', `email log ${id} not found`);
    return { data: logView(row) };
  }

  @Post('send')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a mail {template, to, variables}; 202 with its log entry, sent in the background' })
  async send(@Param('app') app: string, @Body() body: unknown) {
    const mail = parseSend(body);
    if (!(await resolveTemplate(this.db, app, mail.template))) throw new TakesError('VALIDATION_FAILED', `no active template ${mail.template}`, [{ field: 'template', rule: 'exists', message: `no active template ${mail.template}` }]);
    const id = await queueEmail(this.db, app, { template_key: mail.template, to_email: mail.to, variables: mail.variables });
    if (!id) throw new TakesError('VALIDATION_FAILED', 'the app has no active email provider');
    this.sender.kick();
    return { data: logView((await findLog(this.db, app, id))!) };
  }
}
