// Same ESM typings as Nest's Apollo driver sees (see operation-logging.plugin.ts for why).
import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { GraphQLError } from 'graphql';
import { operationName, type OperationLogContext } from '../logging/operation-logging.plugin';
import type { MetricsService } from './metrics.service';

/**
 * Counts and times every GraphQL operation over HTTP, by name, type and outcome. Kept apart from the
 * logging plugin so each can change alone; both read only what Apollo has already computed. The outcome
 * is "ok" or the code of the first error (the log line lists them all): one code per series keeps the
 * label to API.md's short list instead of every combination. graphql-ws subscriptions do not pass through
 * Apollo's request pipeline; they show up as tts_subscriptions_active instead.
 */
export function graphqlMetricsPlugin(
  metrics: MetricsService,
  codeOf: (error: GraphQLError) => string,
): ApolloServerPlugin<OperationLogContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse(requestContext) {
          const seconds = (performance.now() - startedAt) / 1000;
          const firstError = requestContext.errors?.[0];
          metrics.operationFinished(
            operationName(requestContext),
            requestContext.operation?.operation ?? 'unknown',
            firstError ? codeOf(firstError) : 'ok',
            seconds,
          );
        },
      };
    },
  };
}
