import { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ForbiddenError, InvalidTokenError, NotSignedInError } from '../auth/identity';
import { isDatabaseUnavailable } from '../database/pg-connection-errors';
import { ConcurrencyError } from '../event-store/concurrency.error';
import { InvalidPositionError } from '../event-store/position';
import { ShoeDomainError, StaleShoeVersion } from '../shoes/domain/shoe.errors';
import { IdempotencyKeyConflict } from '../shoes/write/idempotency-key-conflict.error';
import { InvalidIdempotencyKey } from '../shoes/commands/idempotency-key';
import { InvalidCursorError } from '../shoes/queries/shoe-cursor';
import { InvalidArgumentError } from './invalid-argument.error';
import { RateLimitedError } from '../rate-limit/rate-limited.error';

/** The error codes of API.md's table that this layer produces. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'SERVICE_UNAVAILABLE'
  | 'SUBSCRIPTION_LAGGED'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

/** Everything our code throws is mapped to API.md's codes here, in one place. */
export function classify(error: unknown): { code: ErrorCode; extensions?: Record<string, unknown> } {
  if (error instanceof StaleShoeVersion) return { code: 'CONFLICT', extensions: { currentVersion: error.currentVersion } };
  if (error instanceof ShoeDomainError) return { code: DOMAIN_CODES[error.kind] };
  if (error instanceof ConcurrencyError) return { code: 'CONFLICT', extensions: { currentVersion: error.actualVersion } };
  if (error instanceof IdempotencyKeyConflict) return { code: 'CONFLICT' };
  if (error instanceof InvalidArgumentError || error instanceof InvalidCursorError || error instanceof InvalidPositionError)
    return { code: 'BAD_USER_INPUT' };
  if (error instanceof InvalidIdempotencyKey) return { code: 'BAD_USER_INPUT' };
  if (error instanceof InvalidTokenError || error instanceof NotSignedInError) return { code: 'UNAUTHENTICATED' };
  if (error instanceof ForbiddenError) return { code: 'FORBIDDEN' };
  if (error instanceof RateLimitedError) return { code: 'RATE_LIMITED', extensions: { retryAfter: error.retryAfterSeconds } };
  if (isDatabaseUnavailable(error)) return { code: 'SERVICE_UNAVAILABLE' };
  return { code: 'INTERNAL_SERVER_ERROR' };
}

const DOMAIN_CODES: Record<ShoeDomainError['kind'], ErrorCode> = {
  INVALID_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
};

/**
 * Apollo `formatError`: every error leaves with an `extensions.code` from API.md's table.
 * Outside development an INTERNAL_SERVER_ERROR says nothing more (no stack, no SQL).
 * No message is longer than MAX_MESSAGE_CHARACTERS: graphql-js quotes a variable's value in its coercion
 * errors (twice), so a 90 KB string for an `Int` came back as 180 KB of message. Our own errors quote
 * bounded text (quoteBounded); this is the backstop for everyone else's.
 */
export function formatGraphQLError(exposeInternals: boolean) {
  const format = formatWithCode(exposeInternals);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    return result.message.length > MAX_MESSAGE_CHARACTERS ? { ...result, message: truncated(result.message) } : result;
  };
}

const MAX_MESSAGE_CHARACTERS = 500;

function truncated(message: string): string {
  return `${[...message.slice(0, MAX_MESSAGE_CHARACTERS)].slice(0, MAX_MESSAGE_CHARACTERS - 20).join('')}… (truncated)`;
}

function formatWithCode(exposeInternals: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // Apollo's own request errors, and errors we raised with a code already, keep theirs.
    if (original instanceof GraphQLError && hasOwnCode(formatted)) {
      return exposeInternals ? formatted : { ...formatted, extensions: stripStack(formatted.extensions) };
    }
    const { code, extensions } = classify(original);
    // Outside development these say nothing more: a driver's message names the database's host and port.
    const publicMessage = exposeInternals ? undefined : PUBLIC_MESSAGES[code];
    return {
      message: publicMessage ?? formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { ...(exposeInternals ? formatted.extensions : {}), ...extensions, code },
    };
  };
}

/**
 * graphql-ws (subscriptions) does not go through Apollo, so its errors would leave unformatted: no
 * `extensions.code`, and a driver's message naming the database's address. These hooks give payload errors
 * (`next`) and stream failures (`error`) the same treatment as HTTP responses. A stream failure arrives wrapped
 * in a GraphQLError without a path, so it is unwrapped here.
 */
export function socketErrorFormatting(exposeInternals: boolean) {
  const formatOne = socketErrorFormatter(exposeInternals);
  return {
    onNext: (_ctx: unknown, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult): FormattedExecutionResult | void =>
      result.errors?.length ? { ...result, errors: result.errors.map(formatOne) } : undefined,
    onError: (_ctx: unknown, _id: string, _payload: unknown, errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
      errors.map(formatOne),
  };
}

/** One error of a WebSocket result, formatted as Apollo formats HTTP errors (both socket protocols use it). */
export function socketErrorFormatter(exposeInternals: boolean): (error: GraphQLError) => GraphQLFormattedError {
  const format = formatGraphQLError(exposeInternals);
  return (error) => format(error.toJSON(), error.path || !error.originalError ? error : error.originalError);
}

const PUBLIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  INTERNAL_SERVER_ERROR: 'Internal server error',
  SERVICE_UNAVAILABLE: 'The database is unavailable; retry later',
};

function hasOwnCode(formatted: GraphQLFormattedError): boolean {
  const code = formatted.extensions?.code;
  return typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR';
}

function stripStack(extensions: GraphQLFormattedError['extensions']): Record<string, unknown> {
  if (!extensions) return {};
  const { stacktrace: _stack, exception: _exception, originalError: _original, ...rest } = extensions as Record<string, unknown>;
  return rest;
}

/** The code a resolver error will leave with (for the operation log line, which runs before formatting). */
export function codeOf(error: GraphQLError): string {
  const own = error.extensions?.code;
  if (typeof own === 'string' && own !== 'INTERNAL_SERVER_ERROR') return own;
  return classify(error.originalError ?? error).code;
}
