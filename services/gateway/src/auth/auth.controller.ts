import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PLATFORM_AUDIENCE } from '@takes/auth';
import { Allow } from './auth.guard';
import { AuthService } from './auth.service';
import { PasswordResetService } from './password-reset.service';
import { InvitesService } from '../invites/invites.service';

/**
 * Login, refresh and logout, for the platform and for each app (Rocket's shapes); accepting
 * an invite; forgot and reset password (`:app` is `_platform` for platform users).
 */
@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly invites: InvitesService,
    private readonly resets: PasswordResetService,
  ) {}

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

  @Post(':app/auth/accept-invite')
  @HttpCode(201)
  @Allow('public')
  @ApiOperation({ summary: "Accept an invite {token, password}: the user is made with the invite's roles and logged in (201, Rocket's answer)" })
  async acceptInvite(@Param('app') app: string, @Body() body: unknown) {
    return { data: await this.invites.accept(app, body) };
  }

  @Post(':app/auth/forgot-password')
  @HttpCode(200)
  @Allow('public')
  @ApiOperation({ summary: 'Ask for a password reset mail {email}; the same answer whether or not the address is a user' })
  async forgotPassword(@Param('app') app: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    await this.resets.forgot(app, body, req.ip);
    return { message: 'If the address belongs to an account, a password reset mail is on its way' };
  }

  @Post(':app/auth/reset-password')
  @HttpCode(200)
  @Allow('public')
  @ApiOperation({ summary: "Set a new password with a reset token {token, password}; the token works once and the user's sessions end" })
  async resetPassword(@Param('app') app: string, @Body() body: unknown) {
    await this.resets.reset(app, body);
    return { message: 'Password reset' };
  }
}
