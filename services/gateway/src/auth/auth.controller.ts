import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PLATFORM_AUDIENCE } from '@takes/auth';
import { Allow } from './auth.guard';
import { AuthService } from './auth.service';

/** Login, refresh and logout, for the platform and for each app (Rocket's shapes). */
@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post(':app/auth/login')
  @HttpCode(200)
  @Allow('public')
  @ApiOperation({ summary: 'Log in with email and password: an access token (15 min) and a refresh token (7 days)' })
  async login(@Param('app') app: string, @Body() body: unknown) {
    return { data: await this.auth.login(app === PLATFORM_AUDIENCE ? PLATFORM_AUDIENCE : app, body) };
  }

  @Post(':app/auth/refresh')
  @HttpCode(200)
  @Allow('public')
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair; the old one stops working' })
  async refresh(@Param('app') app: string, @Body() body: unknown) {
    return { data: await this.auth.refresh(app, body) };
  }

  @Post(':app/auth/logout')
  @HttpCode(200)
  @Allow('public')
  @ApiOperation({ summary: 'Revoke a refresh token and its family' })
  async logout(@Param('app') app: string, @Body() body: unknown) {
    await this.auth.logout(app, body);
    return { message: 'Logged out' };
  }
}
