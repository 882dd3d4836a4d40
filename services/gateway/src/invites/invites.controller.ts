import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TakesError } from '@takes/contracts';
import { UUID_PATTERN } from '@takes/ids';
import { Allow } from '../auth/auth.guard';
import { InvitesService } from './invites.service';

/** `/api/:app/_admin/invites` (Rocket's routes): invite an address with roles, list, revoke. */
@ApiTags('admin')
@Controller('api/:app/_admin/invites')
@Allow('admin')
export class InvitesController {
  constructor(private readonly invites: InvitesService) {}

  @Get()
  @ApiOperation({ summary: 'List invites, newest first, with their status (pending, accepted, revoked, expired)' })
  async list(@Param('app') app: string) {
    return { data: await this.invites.list(app) };
  }

  @Post()
  @ApiOperation({ summary: 'Invite {email, roles}: valid 72 h; mailed when the app has an email provider, else the token is in the answer' })
  async create(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return { data: await this.invites.create(app, body, req.principal!) };
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Invite many {emails, roles}: {created, skipped, summary}' })
  async bulk(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return { data: await this.invites.bulk(app, body, req.principal!) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an invite: its token stops working' })
  async revoke(@Param('app') app: string, @Param('id') id: string) {
    if (!UUID_PATTERN.test(id)) throw new TakesError('NOT_FOUND', `invite ${id} not found`);
    await this.invites.revoke(app, id);
    return { data: { id, deleted: true } };
  }
}
