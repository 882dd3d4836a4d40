import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import { parseProviderInput } from '@takes/email';
import { UUID_PATTERN } from '@takes/ids';
import { Allow } from '../auth/auth.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { deleteRow, findProvider, insertProvider, listProviders, providerInput, providerView, updateProvider } from './email.repository';

const notFound = (id: string) => new TakesError('NOT_FOUND', `email provider ${id} not found`);

/** `/api/:app/_admin/email/providers` (Rocket's route): how the app sends mail, tried by priority. */
@ApiTags('email')
@Controller('api/:app/_admin/email/providers')
@Allow('admin')
export class EmailProvidersController {
  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List email providers, lowest priority (tried first) first' })
  async list(@Param('app') app: string) {
    return { data: (await listProviders(this.db, app)).map(providerView) };
  }

  @Post()
  @ApiOperation({ summary: "Add a provider: {name, provider: 'smtp', config: {host, port, tls, username, password: '{{env.VAR}}', from, from_name}, priority, active}" })
  async create(@Param('app') app: string, @Body() body: unknown) {
    return { data: providerView(await insertProvider(this.db, app, parseProviderInput(body, this.config.email.envAllow))) };
  }

  @Get(':id')
  async get(@Param('app') app: string, @Param('id') id: string) {
    const row = UUID_PATTERN.test(id) ? await findProvider(this.db, app, id) : undefined;
    if (!row) throw notFound(id);
    return { data: providerView(row) };
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change a provider; fields left out keep their value, a config given replaces the old one' })
  async update(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown) {
    const existing = UUID_PATTERN.test(id) ? await findProvider(this.db, app, id) : undefined;
    if (!existing) throw notFound(id);
    const row = await updateProvider(this.db, app, id, parseProviderInput(body, this.config.email.envAllow, providerInput(existing)));
    if (!row) throw notFound(id);
    return { data: providerView(row) };
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@Param('app') app: string, @Param('id') id: string) {
    if (!UUID_PATTERN.test(id) || !(await deleteRow(this.db, 'email_providers', app, id))) throw notFound(id);
    return { data: { id, deleted: true } };
  }
}
