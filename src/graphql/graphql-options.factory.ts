import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriverConfig } from '@nestjs/apollo';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GqlOptionsFactory } from '@nestjs/graphql';
import { identify, GraphQLContext } from '../auth/graphql-context';
import { AppConfigService } from '../config/app-config.service';
import { CURRENT_VERSIONS, type CurrentVersions } from '../event-store/read-set';
import { AppLogger } from '../logging/app-logger.service';
import { operationLoggingPlugin } from '../logging/operation-logging.plugin';
import { graphqlOperationMetrics } from '../metrics/graphql-operation-metrics';
import { MetricsService } from '../metrics/metrics.service';
import { graphiqlLandingPagePlugin } from '../graphiql/graphiql-landing-page.plugin';
import { codeOf, formatGraphQLError } from './graphql-errors';
import { httpCaching } from './http-cache.plugin';
import { httpSubscriptionRefusalPlugin } from './http-subscription-refusal.plugin';
import { MAX_TOKENS } from './query-limits';
import { describeRootTypes } from './root-type-descriptions';
import { queryLimitsPlugin } from './query-limits.plugin';

/** The one endpoint: HTTP (Apollo) and both WebSocket protocols (socket-upgrade.router.ts) answer here. */
export const GRAPHQL_PATH = '/graphql';

/**
 * GraphQL at /graphql: Apollo Server 5 on Fastify (@as-integrations/fastify), GraphiQL on GET. Introspection stays on in every environment:
 * this is a public API (API.md). Sockets are not Nest's: graphql-ws.server.ts and legacy-subscriptions.server.ts.
 */
@Injectable()
export class GraphQLOptionsFactory implements GqlOptionsFactory<ApolloDriverConfig> {
  constructor(
    private readonly config: AppConfigService,
    private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
    /** The read model's proof of current versions (a feature provides it); without it nothing is kept. */
    @Optional() @Inject(CURRENT_VERSIONS) private readonly versions: CurrentVersions | null = null,
  ) {}

  createGqlOptions(): ApolloDriverConfig {
    const { jwtSecret, env, corsOrigins, readCacheSize } = this.config.settings;
    const caching = httpCaching({
      corsEnabled: corsOrigins.length > 0,
      versions: this.versions,
      capacity: readCacheSize,
      onLookup: (hit) => this.metrics.answerCacheRead(hit),
    });
    return {
      path: GRAPHQL_PATH,
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
        operationLoggingPlugin(this.logger, codeOf, graphqlOperationMetrics(this.metrics)), // the log line and the metrics
        httpSubscriptionRefusalPlugin(), // before measuring: a subscription over HTTP is refused whatever it costs
        queryLimitsPlugin(),
        caching.plugin, // the answer cache, ETags and Cache-Control
        graphiqlLandingPagePlugin(),
      ],
      stringifyResult: caching.stringifyResult,
      parseOptions: { maxTokens: MAX_TOKENS },
      // Nest's plugin that turns a response with data back to 200 when an execution error set `extensions.http`: none
      // of ours does (the two that set 400 fail before execution, with no data), so it would only be work per request.
      preserveHttpStatusForExecutionErrors: false,
      allowBatchedHttpRequests: true, // up to QUERY_LIMITS.batch (batch-limit.hook.ts)
      // Apollo's Fastify integration calls it with (request, reply).
      context: (req: FastifyRequest) => this.context(req, jwtSecret),
    };
  }

  private async context(req: FastifyRequest, secret: string): Promise<GraphQLContext> {
    return { req, address: req.ip ?? null, ...(await identify(req.headers.authorization, secret)) };
  }
}

/**
 * Cache control is on by default and hooks every field of every operation; we send no cache hints. Apollo
 * recognises the plugin by its id, so the CommonJS copy made here works for the ESM server Nest runs.
 */
function cacheControlDisabled(): ApolloServerPlugin {
  return ApolloServerPluginCacheControlDisabled() as unknown as ApolloServerPlugin;
}
