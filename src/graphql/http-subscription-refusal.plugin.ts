import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { GraphQLError } from 'graphql';

/**
 * Subscriptions are served over WebSocket only. Over HTTP, graphql-js would run a subscription operation like a
 * query: its root resolver then gets no event (undefined) and fails, answering INTERNAL_SERVER_ERROR and logging a
 * stack trace per request (found by test/e2e/graphql-fuzz.test.ts). Refused instead with Apollo's BAD_REQUEST and
 * HTTP 400, before any resolver runs. Only HTTP goes through Apollo's plugins; both socket protocols execute
 * subscriptions themselves.
 */
export function httpSubscriptionRefusalPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError('subscriptions are served over WebSocket at /graphql (graphql-transport-ws or graphql-ws)', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        },
      };
    },
  };
}
