import { ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';
import { GqlOptionsFactory } from '@nestjs/graphql';
import type { ServerOptions } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { identify, GraphQLContext } from '../auth/graphql-context';
import { AppConfigService } from '../config/app-config.service';
import { AppLogger } from '../logging/app-logger.service';
import { operationLoggingPlugin } from '../logging/operation-logging.plugin';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin';
import { MetricsService } from '../metrics/metrics.service';
import { SHOE_EVENT_MODELS } from '../shoes/graphql/shoe-event.model';
import { graphiqlLandingPagePlugin } from '../graphiql/graphiql-landing-page.plugin';
import { codeOf, formatGraphQLError, socketErrorFormatting } from './graphql-errors';
import { checkSubscribePayload, queryLimitsPlugin } from './query-limits.plugin';
import { SharedSubscriptionResults } from './shared-subscription-results';
import { batchSocketWrites } from './socket-write-batching';
import { socketAddress, socketAuth, socketIdentity } from './graphql-socket-auth';

/** What graphql-ws's `ws` adapter puts in `ctx.extra`. */
type SocketExtra = { socket: WebSocket; request?: IncomingMessage };

/** Sorted, so the committed schema.gql and the schema the server builds are printed identically. */
export const BUILD_SCHEMA_OPTIONS = { orphanedTypes: SHOE_EVENT_MODELS };

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
  ) {}

  createGqlOptions(): ApolloDriverConfig {
    const { jwtSecret, env } = this.config.settings;
    const auth = socketAuth(jwtSecret);
    return {
      path: '/graphql',
      autoSchemaFile: true,
      sortSchema: true,
      buildSchemaOptions: BUILD_SCHEMA_OPTIONS,
      introspection: true,
      graphiql: false, // our own GraphiQL, served from npm packages rather than a CDN (src/graphiql)
      includeStacktraceInErrorResponses: env === 'development',
      formatError: formatGraphQLError(env === 'development'),
      plugins: [operationLoggingPlugin(this.logger, codeOf), graphqlMetricsPlugin(this.metrics, codeOf), queryLimitsPlugin(), graphiqlLandingPagePlugin()],
      allowBatchedHttpRequests: true, // up to QUERY_LIMITS.batch (BatchLimitMiddleware)
      subscriptions: {
        'graphql-ws': {
          ...auth,
          onConnect: (ctx) => {
            // The frames a socket sends in one event-loop turn leave in one write (socket-write-batching.ts).
            batchSocketWrites((ctx.extra as SocketExtra).socket, (ctx.extra as SocketExtra).request?.socket);
            return auth.onConnect(ctx);
          },
          ...socketErrorFormatting(env === 'development'),
          onSubscribe: (_ctx, _id, payload) => checkSubscribePayload(payload),
          // Nest passes these options on to graphql-ws's useServer (its type lists only some of them).
          ...sharedExecution(),
        },
      },
      context: (arg: { req?: GraphQLContext['req']; extra?: unknown }) => this.context(arg, jwtSecret),
    };
  }

  private async context(arg: { req?: GraphQLContext['req']; extra?: unknown }, secret: string): Promise<GraphQLContext> {
    if (arg.req) return { req: arg.req, address: arg.req.ip ?? null, ...(await identify(arg.req.headers.authorization, secret)) };
    return { address: socketAddress(arg.extra), identity: socketIdentity(arg.extra), authError: null };
  }
}

/** graphql-ws's `subscribe`: one execution per event for all subscribers of the same document and variables, not one each. */
function sharedExecution(): Pick<ServerOptions, 'subscribe'> {
  return { subscribe: new SharedSubscriptionResults().subscribe };
}
