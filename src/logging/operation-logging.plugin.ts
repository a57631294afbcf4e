// Nest's Apollo driver is ESM and sees @apollo/server's ESM typings; this CommonJS file must name the same ones,
// or TypeScript treats the two copies of ApolloServerPlugin as different types.
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { GraphQLError } from 'graphql';
import type { AppLogger } from './app-logger.service';

/** The part of the GraphQL context this plugin reads: the HTTP request, whose `id` is its request id (request-id.ts). */
export type OperationLogContext = BaseContext & { req?: { id?: string } };

const INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR';
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * One log line per GraphQL operation over HTTP: name, type, duration, outcome ("ok" or the error codes) and
 * request id. Operations that hit an internal error are logged at error level with the original stack.
 * Only fields Apollo has already computed are read, so the cost per request is a timer and one line.
 */
export function operationLoggingPlugin(
  logger: AppLogger,
  codeOf: (error: GraphQLError) => string = errorCode,
): ApolloServerPlugin<OperationLogContext> {
  const log = logger.child('GraphQL');
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse(requestContext) {
          writeOperationLine(log, requestContext, performance.now() - startedAt, codeOf);
        },
      };
    },
  };
}

function writeOperationLine(
  log: AppLogger,
  requestContext: GraphQLRequestContextWillSendResponse<OperationLogContext>,
  elapsedMs: number,
  codeOf: (error: GraphQLError) => string,
): void {
  const errors = requestContext.errors ?? [];
  const codes = [...new Set(errors.map(codeOf))];
  const fields = {
    operationName: operationName(requestContext),
    operationType: requestContext.operation?.operation ?? 'unknown',
    durationMs: Math.round(elapsedMs * 10) / 10,
    outcome: codes.length === 0 ? 'ok' : codes.join(','),
    requestId: requestContext.contextValue.req?.id,
  };
  const message = `${fields.operationType} ${fields.operationName} ${fields.outcome} in ${fields.durationMs} ms`;
  const internal = errors.find((error) => codeOf(error) === INTERNAL_SERVER_ERROR);
  if (internal) log.error(message, { ...fields, error: internal.message, stack: (internal.originalError ?? internal).stack });
  else log.info(message, fields);
}

/**
 * The default when the caller has no mapping of its own: Apollo adds INTERNAL_SERVER_ERROR only when formatting
 * the response, so an error without a code is one.
 */
function errorCode(error: GraphQLError): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : INTERNAL_SERVER_ERROR;
}

/** The resolved name, else the requested one if it is a valid GraphQL name (it is client text, and goes into logs). */
export function operationName(requestContext: GraphQLRequestContextWillSendResponse<OperationLogContext>): string {
  const name = requestContext.operationName ?? requestContext.request.operationName;
  return name && GRAPHQL_NAME.test(name) ? name : 'anonymous';
}
