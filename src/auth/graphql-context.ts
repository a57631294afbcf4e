import type { FastifyRequest } from 'fastify';
import type { ReadSet } from '../event-store/read-set';
import { Identity, InvalidTokenError } from './identity';
import { bearerToken, verifyToken } from './jwt';

/**
 * What every resolver sees. The token is checked once per request (or once per socket), but a bad token
 * only matters to mutations: reading and subscribing need no token, so the error is kept, not thrown.
 */
export type GraphQLContext = {
  /** The HTTP request (Fastify's; `id` is its request id); absent on WebSocket. */
  req?: FastifyRequest;
  /** The client's IP address (HTTP request or WebSocket), for per-address limits; null when unknown. */
  address: string | null;
  identity: Identity | null;
  /** HTTP only: the stream versions the answer read, for its ETag and the answer cache (src/graphql/http-cache.plugin.ts). */
  reads?: ReadSet;
  authError: InvalidTokenError | null;
};

export async function identify(authorization: unknown, secret: string): Promise<Pick<GraphQLContext, 'identity' | 'authError'>> {
  try {
    const token = bearerToken(authorization);
    return { identity: token ? await verifyToken(token, secret) : null, authError: null };
  } catch (err) {
    if (err instanceof InvalidTokenError) return { identity: null, authError: err };
    throw err;
  }
}
