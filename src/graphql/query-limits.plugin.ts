import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { GraphQLError, parse } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { checkQueryLimits } from './query-limits';

/** HTTP: checked once the operation is resolved, before any resolver runs (refused operations cost a parse). */
export function queryLimitsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return; // Apollo itself refuses a request that names no operation it has
          try {
            checkQueryLimits(document, operation, request.variables ?? {});
          } catch (error) {
            if (error instanceof GraphQLError) error.extensions.http = { status: 400 };
            throw error;
          }
        },
      };
    },
  };
}

/** WebSocket (graphql-ws executes without Apollo's plugins): the same check in onSubscribe. */
export function checkSubscribePayload(payload: SubscribePayload): readonly GraphQLError[] | void {
  let document;
  try {
    document = parse(payload.query);
  } catch {
    return; // graphql-ws reports the syntax error itself
  }
  const operation = document.definitions.find(
    (d) => d.kind === 'OperationDefinition' && (!payload.operationName || d.name?.value === payload.operationName),
  );
  if (!operation || operation.kind !== 'OperationDefinition') return;
  try {
    checkQueryLimits(document, operation, payload.variables ?? {});
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}
