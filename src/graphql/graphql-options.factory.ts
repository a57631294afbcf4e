import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';
import { GqlOptionsFactory, GraphQLSchemaHost } from '@nestjs/graphql';
import type { ServerOptions } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { identify, GraphQLContext } from '../auth/graphql-context';
import { AppConfigService } from '../config/app-config.service';
import { AppLogger } from '../logging/app-logger.service';
import { operationLoggingPlugin } from '../logging/operation-logging.plugin';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin';
import { MetricsService } from '../metrics/metrics.service';
import { graphiqlLandingPagePlugin } from '../graphiql/graphiql-landing-page.plugin';
import { codeOf, formatGraphQLError, socketErrorFormatting } from './graphql-errors';
import { httpSubscriptionRefusalPlugin } from './http-subscription-refusal.plugin';
import { MAX_TOKENS } from './query-limits';
import { describeRootTypes } from './root-type-descriptions';
import { queryLimitsPlugin } from './query-limits.plugin';
import { checkSocketOperation } from './socket-operation';
import { graphqlWsNextPayload, SharedSubscriptionResults, SOCKET_TARGET, SocketTarget } from './shared-subscription-results';
import { limitSubscriptionsPerSocket } from './socket-limits';
import { batchSocketWrites } from './socket-write-batching';
import { socketAddress, socketAuth, socketIdentity } from './graphql-socket-auth';

/** What graphql-ws's `ws` adapter puts in `ctx.extra`. */
type SocketExtra = { socket: WebSocket; request?: IncomingMessage };

/**
 * GraphQL at /graphql: Apollo Server 5 over Express, graphql-ws for subscriptions, GraphiQL on GET.
 * Introspection stays on in every environment: this is a public API (API.md).
 */
@Injectable()
export class GraphQLOptionsFactory implements GqlOptionsFactory<ApolloDriverConfig> {
  constructor(
    private readonly config: AppConfigService,
    private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
    private readonly schemaHost: GraphQLSchemaHost,
  ) {}

  createGqlOptions(): ApolloDriverConfig {
    const { jwtSecret, env, sockets } = this.config.settings;
    const auth = socketAuth(jwtSecret);
    const errorFormatting = socketErrorFormatting(env === 'development');
    // One execution per event for all subscribers of the same document and variables, written to their sockets
    // directly as the `next` messages graphql-ws would send (with the same error formatting as onNext below).
    const shared = new SharedSubscriptionResults({
      nextPayload: (result) => graphqlWsNextPayload(result, (r) => errorFormatting.onNext(null, '', null, null, r)),
    });
    return {
      path: '/graphql',
      autoSchemaFile: true,
      sortSchema: true,
      // As print-schema.ts does for schema.gql. The event types need no `orphanedTypes`: Nest adds every type
      // implementing an interface the schema uses (ShoeEvent), so this layer names no feature's types.
      transformSchema: describeRootTypes,
      introspection: true,
      graphiql: false, // our own GraphiQL, served from npm packages rather than a CDN (src/graphiql)
      includeStacktraceInErrorResponses: env === 'development',
      formatError: formatGraphQLError(env === 'development'),
      plugins: [
        cacheControlDisabled(),
        operationLoggingPlugin(this.logger, codeOf),
        graphqlMetricsPlugin(this.metrics, codeOf),
        httpSubscriptionRefusalPlugin(), // before measuring: a subscription over HTTP is refused whatever it costs
        queryLimitsPlugin(),
        graphiqlLandingPagePlugin(),
      ],
      parseOptions: { maxTokens: MAX_TOKENS },
      allowBatchedHttpRequests: true, // up to QUERY_LIMITS.batch (BatchLimitMiddleware)
      subscriptions: {
        'graphql-ws': {
          ...auth,
          onConnect: (ctx) => {
            // The frames a socket sends in one event-loop turn leave in one write (socket-write-batching.ts).
            batchSocketWrites((ctx.extra as SocketExtra).socket, (ctx.extra as SocketExtra).request?.socket);
            return auth.onConnect(ctx);
          },
          ...errorFormatting,
          // Parsed, validated and measured once here; graphql-ws then neither parses nor validates again, and sends
          // returned errors as this operation's `error` message instead of closing the socket with 4500.
          onSubscribe: (_ctx, _id, payload) => {
            const checked = checkSocketOperation(this.schemaHost.schema, payload);
            return Array.isArray(checked) ? checked : { ...checked, schema: this.schemaHost.schema };
          },
          // The same setting as the legacy protocol's (legacy-subscriptions.server.ts): closes with 4408.
          connectionInitWaitTimeout: sockets.connectionInitTimeoutMs,
          // Nest passes these options on to graphql-ws's useServer (its type lists only some of them).
          ...subscribeWith(shared, sockets.maxSubscriptionsPerSocket),
        },
      },
      // graphql-ws calls it with (ctx, id, …) for each subscription; HTTP with ({ req }).
      context: (arg: { req?: GraphQLContext['req']; extra?: unknown }, id?: unknown) => this.context(arg, jwtSecret, id),
    };
  }

  private async context(arg: { req?: GraphQLContext['req']; extra?: unknown }, secret: string, id?: unknown): Promise<GraphQLContext> {
    if (arg.req) return { req: arg.req, address: arg.req.ip ?? null, ...(await identify(arg.req.headers.authorization, secret)) };
    const context: GraphQLContext & { [SOCKET_TARGET]?: SocketTarget } = {
      address: socketAddress(arg.extra),
      identity: socketIdentity(arg.extra),
      authError: null,
    };
    // Where this subscription's messages may be written directly (SharedSubscriptionResults).
    const extra = arg.extra as SocketExtra | undefined;
    if (extra?.socket && extra.request?.socket && typeof id === 'string') context[SOCKET_TARGET] = { socket: extra.socket, tcp: extra.request.socket, id };
    return context;
  }
}

/**
 * Cache control is on by default and hooks every field of every operation; we send no cache hints. Apollo
 * recognises the plugin by its id, so the CommonJS copy made here works for the ESM server Nest runs.
 */
function cacheControlDisabled(): ApolloServerPlugin {
  return ApolloServerPluginCacheControlDisabled() as unknown as ApolloServerPlugin;
}

/** Shared executions, at most `perSocket` running on one socket (socket-limits.ts). */
function subscribeWith(shared: SharedSubscriptionResults, perSocket: number): Pick<ServerOptions, 'subscribe'> {
  return { subscribe: limitSubscriptionsPerSocket(shared.subscribe, perSocket) };
}
