import type { Context } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { identify } from '../auth/graphql-context';
import type { Identity } from '../auth/identity';

/** graphql-ws closes the socket with 4403 when onConnect returns false; we use the same code on expiry. */
export const FORBIDDEN_CLOSE_CODE = 4403;

type SocketExtra = { socket: WebSocket; request?: IncomingMessage; identity?: Identity | null; expiryTimer?: NodeJS.Timeout };

/**
 * Socket identity for the socket's whole life: `connection_init` may carry `{ authorization: "Bearer <JWT>" }`.
 * 1. No token: an anonymous socket (reading and subscribing need none).
 * 2. A bad token: refused, the socket closes with 4403.
 * 3. A good token: kept for the socket, and the socket is closed with 4403 when the token expires.
 */
export function socketAuth(secret: string) {
  return {
    onConnect: async (ctx: Context<Record<string, unknown> | undefined, unknown>): Promise<boolean> => {
      const { identity, authError } = await identify(ctx.connectionParams?.authorization, secret);
      if (authError) return false;
      const extra = ctx.extra as SocketExtra;
      extra.identity = identity;
      if (identity) closeOnExpiry(extra, identity.expiresAt);
      return true;
    },
    onClose: (ctx: Context<Record<string, unknown> | undefined, unknown>): void => {
      clearTimeout((ctx.extra as SocketExtra).expiryTimer);
    },
  };
}

export function closeOnExpiry(extra: Pick<SocketExtra, 'socket' | 'expiryTimer'>, expiresAt: number): void {
  const ms = Math.max(0, expiresAt * 1000 - Date.now());
  // setTimeout holds 2^31-1 ms at most; a token living longer than ~24 days is re-armed at that point.
  extra.expiryTimer = setTimeout(
    () => (ms > 2 ** 31 - 1 ? closeOnExpiry(extra, expiresAt) : extra.socket.close(FORBIDDEN_CLOSE_CODE, 'Token expired')),
    Math.min(ms, 2 ** 31 - 1),
  );
  extra.expiryTimer.unref();
}

export function socketIdentity(extra: unknown): Identity | null {
  return (extra as SocketExtra | undefined)?.identity ?? null;
}

export function socketAddress(extra: unknown): string | null {
  return (extra as SocketExtra | undefined)?.request?.socket.remoteAddress ?? null;
}
