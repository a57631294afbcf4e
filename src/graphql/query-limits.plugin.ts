import type { ApolloServerPlugin } from '@apollo/server' with { 'resolution-mode': 'import' };
import { getVariableValues, GraphQLError } from 'graphql';
import { checkQueryLimits, QuerySpend } from './query-limits';

/**
 * HTTP: checked once Apollo has parsed (with maxTokens, see graphql-options.factory.ts), validated and resolved
 * the operation, before any resolver runs. The cost budgets are per HTTP request: the operations of one batch
 * share them (keyed by the HTTP request, which all operations of a batch share), so batching does not
 * multiply them. The query text length is checked earlier, in batch-limit.hook.ts. Variables are coerced here
 * as execution will coerce them again: measuring only coerced ones keeps the order of the socket protocols
 * (variables, then limits), so a wrong-typed variable is BAD_USER_INPUT even in a query that would be too costly.
 */
export function queryLimitsPlugin(): ApolloServerPlugin {
  const spentBy = new WeakMap<object, QuerySpend>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema, contextValue }) {
          if (!operation) return; // Apollo itself refuses a request that names no operation it has
          // Coerced as execution will (defaults included); a variable of the wrong type is Apollo's BAD_USER_INPUT.
          const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (variables.errors) return;
          const key = ((contextValue as { req?: object }).req ?? contextValue) as object;
          try {
            spentBy.set(key, checkQueryLimits(document, operation, variables.coerced, spentBy.get(key)));
          } catch (error) {
            if (error instanceof GraphQLError) error.extensions.http = { status: 400 };
            throw error;
          }
        },
      };
    },
  };
}
