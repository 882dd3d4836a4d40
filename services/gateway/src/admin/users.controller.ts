import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { TakesError, type ErrorDetail } from '@takes/contracts';
import { passwordProblems, userAttributeProblems, type UserAttribute } from '@takes/auth';
import { Allow } from '../auth/auth.guard';
import { createUser, deleteUser, findUser, listUsers, updateUser, userView } from '../apps/users.repository';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';

interface UserInput {
  email?: string;
  password?: string;
  roles?: string[];
  attributes?: Record<string, UserAttribute>;
  active?: boolean;
}


/** Checks a user body; on create, email and password are required. */
function parseUser(body: unknown, create: boolean): UserInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) {
    if (!['email', 'password', 'roles', 'attributes', 'active'].includes(key)) details.push({ field: key, rule: 'unknown', message: `unknown field ${key}` });
  }
  if (create || input.email !== undefined) {
    if (typeof input.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(input.email)) details.push({ field: 'email', rule: 'format', message: 'email must be an address' });
  }
  if (create || input.password !== undefined) details.push(...passwordProblems(input.password));
  if (input.roles !== undefined && (!Array.isArray(input.roles) || input.roles.some((r) => typeof r !== 'string' || !r))) {
    details.push({ field: 'roles', rule: 'type', message: 'roles must be a list of names' });
  }
  if (input.attributes !== undefined) details.push(...userAttributeProblems(input.attributes));
  if (input.active !== undefined && typeof input.active !== 'boolean') details.push({ field: 'active', rule: 'type', message: 'active must be true or false' });
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid user', details);
  return input as UserInput;
}

/** `/api/:app/_admin/users`: the app's users. Responses never include the password hash. */
@ApiTags('admin')
@Controller('api/:app/_admin/users')
@Allow('admin')
export class UsersController {
  constructor(@Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>) {}

  @Get()
  async list(@Param('app') app: string) {
    return { data: (await listUsers(this.db, app)).map(userView) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a user: {email, password, roles, attributes, active}; attributes are what permission conditions name as $user.<attribute>' })
  async create(@Param('app') app: string, @Body() body: unknown) {
    const input = parseUser(body, true);
    return { data: userView(await createUser(this.db, app, { email: input.email!, password: input.password!, roles: input.roles ?? [], attributes: input.attributes, active: input.active })) };
  }

  @Get(':id')
  async get(@Param('app') app: string, @Param('id') id: string) {
    const user = isUuid(id) ? await findUser(this.db, app, id) : undefined;
    if (!user) throw new TakesError('NOT_FOUND', `user ${id} not found`);
    return { data: userView(user) };
  }

  @Put(':id')
  @ApiOperation({ summary: 'Change roles, deactivate (active: false), reset the password or the email' })
  async update(@Param('app') app: string, @Param('id') id: string, @Body() body: unknown) {
    const input = parseUser(body, false);
    const user = isUuid(id) ? await updateUser(this.db, app, id, input) : undefined;
    if (!user) throw new TakesError('NOT_FOUND', `user ${id} not found`);
    return { data: userView(user) };
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@Param('app') app: string, @Param('id') id: string) {
    if (!isUuid(id) || !(await deleteUser(this.db, app, id))) throw new TakesError('NOT_FOUND', `user ${id} not found`);
    return { data: { id, deleted: true } };
  }
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
