import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { TakesError } from '@takes/contracts';
import { PLATFORM_AUDIENCE, verifiedTokens, type TokenKey } from '@takes/auth';
import { AppsService } from '../apps/apps.service';
import { TOKEN_KEY } from '../tokens';

/** Who may call a route. `public`: no token (login); `platform`: a platform admin token. */
export type Access = 'public' | 'platform' | 'app' | 'admin';
export const ACCESS = 'takes:access';
export const Allow = (access: Access) => SetMetadata(ACCESS, access);

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new TakesError('UNAUTHORIZED', 'a bearer token is required');
  return match[1];
}

/**
 * Every app route needs a token for that app (its `aud`) or a platform token, which acts
 * as admin in every app (as in Rocket). `/_admin` routes need the admin role. An unknown
 * app is APP_NOT_FOUND before anything else.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Full check of a token the first time it is seen, from memory after (until it expires). */
  private readonly verify: ReturnType<typeof verifiedTokens>;

  constructor(
    private readonly reflector: Reflector,
    private readonly apps: AppsService,
    @Inject(TOKEN_KEY) key: TokenKey,
  ) {
    this.verify = verifiedTokens(key);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const app = (request.params as { app?: string }).app;
    // Routes outside /api/:app (health, ready, metrics) are open unless marked otherwise.
    const access = this.reflector.getAllAndOverride<Access>(ACCESS, [context.getHandler(), context.getClass()]) ?? (app === undefined ? 'public' : 'app');
    if (app !== undefined && app !== PLATFORM_AUDIENCE && !(await this.apps.exists(app))) {
      throw new TakesError('APP_NOT_FOUND', `app ${app} not found`);
    }
    if (access === 'public') return true;

    if (access === 'platform') {
      const claims = await this.verify(bearer(request), [PLATFORM_AUDIENCE]);
      if (!claims.roles.includes('platform_admin')) throw new TakesError('FORBIDDEN', 'platform admin only');
      request.principal = { userId: claims.sub, roles: claims.roles, email: claims.email, app: PLATFORM_AUDIENCE, platform: true };
      return true;
    }

    const claims = await this.verify(bearer(request), [app!, PLATFORM_AUDIENCE]);
    const platform = claims.aud === PLATFORM_AUDIENCE;
    if (platform && !claims.roles.includes('platform_admin')) throw new TakesError('FORBIDDEN', 'platform admin only');
    const roles = platform ? ['admin'] : claims.roles;
    request.principal = { userId: platform ? `platform:${claims.sub}` : claims.sub, roles, email: claims.email, ...(!platform && claims.attributes ? { attributes: claims.attributes } : {}), app: app!, platform };
    if (access === 'admin' && !roles.includes('admin')) throw new TakesError('FORBIDDEN', 'admin role required');
    return true;
  }
}
