// Nest's Apollo driver is ESM and sees @apollo/server's ESM typings; this CommonJS file must name the same ones,
// or TypeScript treats the two copies of ApolloServerPlugin as different types.
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server' with { 'resolution-mode': 'import' };
import type { GraphQLError } from 'graphql';
import type { AppLogger } from './app-logger.service';

/** The part of the GraphQL context this plugin reads: the HTTP request, whose `id` is its request id (request-id.ts). */
export type OperationLogContext = BaseContext & { req?: { id?: string } };

/** What one finished HTTP operation was, computed once for its log line and for whoever else counts operations. */
export type OperationReport = {
  operationName: string;
  operationType: string;
  /** The error codes, once each, in the order of the errors; empty when it succeeded. */
  codes: string[];
  elapsedMs: number;
};

const INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR';
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * One log line per GraphQL operation over HTTP: name, type, duration, outcome ("ok" or the error codes) and
 * request id. Operations that hit an internal error are logged at error level with the original stack.
 * It is also the one place that times operations: `onFinished` (the metrics, graphql-operation-metrics.ts) gets the
 * same report, so an operation costs one clock read at its start and one pass over what Apollo computed at its end.
 * Below the info level the line is not even built; an internal error is still logged.
 */
export function operationLoggingPlugin(
  logger: AppLogger,
  codeOf: (error: GraphQLError) => string = errorCode,
  onFinished: (report: OperationReport) => void = () => undefined,
): ApolloServerPlugin<OperationLogContext> {
  const log = logger.child('GraphQL');
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse(requestContext) {
          const errors = requestContext.errors ?? [];
          const report: OperationReport = {
            operationName: operationName(requestContext),
            operationType: requestContext.operation?.operation ?? 'unknown',
            codes: errors.length === 0 ? [] : [...new Set(errors.map(codeOf))],
            elapsedMs: performance.now() - startedAt,
          };
          onFinished(report);
          const internal = report.codes.includes(INTERNAL_SERVER_ERROR) ? errors.find((error) => codeOf(error) === INTERNAL_SERVER_ERROR) : undefined;
          if (internal || log.isEnabled('info')) writeOperationLine(log, report, requestContext.contextValue.req?.id, internal);
        },
      };
    },
  };
}

function writeOperationLine(log: AppLogger, report: OperationReport, requestId: string | undefined, internal: GraphQLError | undefined): void {
  const fields = {
    operationName: report.operationName,
    operationType: report.operationType,
    durationMs: Math.round(report.elapsedMs * 10) / 10,
    outcome: report.codes.length === 0 ? 'ok' : report.codes.join(','),
    requestId,
  };
  const message = `${fields.operationType} ${fields.operationName} ${fields.outcome} in ${fields.durationMs} ms`;
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
function operationName(requestContext: GraphQLRequestContextWillSendResponse<OperationLogContext>): string {
  const name = requestContext.operationName ?? requestContext.request.operationName;
  return name && GRAPHQL_NAME.test(name) ? name : 'anonymous';
}
