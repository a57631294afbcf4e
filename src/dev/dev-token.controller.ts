import { BadRequestException, Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { isAcceptableSubject, MAX_SUBJECT_CHARACTERS, mintToken } from '../auth/jwt';

/** Long enough for a working day at the dashboard; the token is only ever as strong as a development secret. */
export const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;

export type DevTokenRequest = { sub: string; admin: boolean };
export type DevTokenResponse = { token: string; sub: string; roles: string[]; expiresIn: number };

/**
 * One-click sign-in for development: mints the same HS256 token `npm run token` prints, with the configured secret.
 * Registered only outside production (DevToolsModule), so in production `/dev/token` does not exist (404).
 * GET answers 200 so the dashboard can tell whether to show its one-click buttons.
 */
@Controller('dev/token')
export class DevTokenController {
  constructor(private readonly config: AppConfigService) {}

  @Get()
  describe(): { available: true; usage: string } {
    return { available: true, usage: 'POST /dev/token {"sub": "alice", "admin": false} (development only)' };
  }

  @Post()
  @HttpCode(200)
  async mint(@Body() body: unknown): Promise<DevTokenResponse> {
    const { sub, admin } = parseRequest(body);
    const roles = admin ? ['admin'] : [];
    const token = await mintToken({ sub, roles, expiresInSeconds: DEV_TOKEN_TTL_SECONDS }, this.config.settings.jwtSecret);
    return { token, sub, roles, expiresIn: DEV_TOKEN_TTL_SECONDS };
  }
}

function parseRequest(body: unknown): DevTokenRequest {
  const record = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const sub = typeof record.sub === 'string' ? record.sub.trim() : '';
  // The verifier's own rule: a token minted here is never one the API then refuses.
  if (!isAcceptableSubject(sub)) {
    throw new BadRequestException(
      `"sub" must be a user id of 1 to ${MAX_SUBJECT_CHARACTERS} characters without control characters, e.g. {"sub": "alice", "admin": false}`,
    );
  }
  if (record.admin !== undefined && typeof record.admin !== 'boolean') throw new BadRequestException('"admin" must be true or false');
  return { sub, admin: record.admin === true };
}
