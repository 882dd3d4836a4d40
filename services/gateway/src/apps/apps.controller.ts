import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/auth.guard';
import { AppsService } from './apps.service';

/** `/api/_platform/apps`: the platform admin's apps. */
@ApiTags('platform')
@Controller('api/_platform/apps')
@Allow('platform')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  @Get()
  @ApiOperation({ summary: 'List apps' })
  async list() {
    return { data: await this.apps.list() };
  }

  @Post()
  @ApiOperation({ summary: 'Create an app with its read schema and its admin (admin@localhost / changeme)' })
  async create(@Body() body: unknown) {
    return { data: await this.apps.create(body) };
  }

  @Get(':name')
  async get(@Param('name') name: string) {
    return { data: await this.apps.get(name) };
  }

  @Delete(':name')
  @HttpCode(200)
  async remove(@Param('name') name: string) {
    await this.apps.remove(name);
    return { message: 'App deleted' };
  }
}
