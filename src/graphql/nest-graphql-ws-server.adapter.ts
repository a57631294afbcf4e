import type { ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { ServerOptions } from 'ws';

/** What is used of it; Nest has its own copy of `ws` (node_modules/@nestjs/graphql/node_modules/ws), so no instanceof. */
type NestWebSocketServer = { options: ServerOptions; handleUpgrade: (...args: never[]) => void };

/**
 * The `ws` WebSocketServer Nest created for graphql-ws, so that it gets a frame limit (`maxPayload`).
 *
 * Why reach inside Nest: @nestjs/graphql's GqlSubscriptionService creates it with only `{ path, noServer }` and no
 * option reaches it, so it accepts frames of up to `ws`'s default of 100 MB (one 90 MB `subscribe` frame blocked
 * the event loop for 53 s and then took the heap). `ws` reads `options.maxPayload` at every upgrade, so setting
 * it on that server's public `options` is enough; only finding the server is internal: GraphQLModule's public
 * `graphQlAdapter` (the ApolloDriver), its `_subscriptionService`, that service's `wss`. Checked here, so a Nest
 * upgrade that moves them fails the start instead of silently dropping the limit (and the e2e test of the 90 MB
 * frame fails too). This is the only file that knows these names.
 */
export function nestGraphqlWsServer(moduleRef: ModuleRef): NestWebSocketServer {
  const graphql = moduleRef.get(GraphQLModule, { strict: false });
  const driver = graphql.graphQlAdapter as unknown as { _subscriptionService?: { wss?: unknown } };
  const wss = driver._subscriptionService?.wss as Partial<NestWebSocketServer> | undefined;
  if (typeof wss?.handleUpgrade !== 'function' || typeof wss.options !== 'object') {
    throw new Error("Nest's graphql-ws WebSocketServer was not found (GraphQLModule.graphQlAdapter._subscriptionService.wss): cannot limit its frame size");
  }
  return wss as NestWebSocketServer;
}

/** Sets the largest frame Nest's graphql-ws server accepts; a larger one closes that socket with 1009. */
export function limitNestGraphqlWsFrames(moduleRef: ModuleRef, maxPayloadBytes: number): void {
  nestGraphqlWsServer(moduleRef).options.maxPayload = maxPayloadBytes;
}
