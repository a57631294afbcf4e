import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';

/** Every error code of the contract (API.md), as a sentence a shopper can act on. */
export function sentenceForCode(code: string | undefined, extensions: Record<string, unknown> = {}): string {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'You need to sign in first: paste a valid token (it may have expired).';
    case 'FORBIDDEN':
      return 'Your account is not allowed to do that (it needs an admin token).';
    case 'BAD_USER_INPUT':
      return 'That input was not accepted: check the value and try again.';
    case 'NOT_FOUND':
      return 'That shoe no longer exists.';
    case 'CONFLICT':
      return 'Someone changed this shoe at the same time, or it already exists: reload and try again.';
    case 'SERVICE_UNAVAILABLE':
      return 'The service cannot reach its database right now: try again in a moment (your rating is safe to resend).';
    case 'RATE_LIMITED': {
      const wait = Number(extensions.retryAfter);
      return Number.isFinite(wait)
        ? `You are rating too fast: try again in ${Math.max(1, Math.ceil(wait))} seconds.`
        : 'You are rating too fast: wait a moment and try again.';
    }
    case 'SUBSCRIPTION_LAGGED':
      return 'The live updates fell behind and were restarted: figures may have been stale for a moment.';
    case 'QUERY_TOO_COMPLEX':
      return 'That request asked for too much at once.';
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'BAD_REQUEST':
    case 'PERSISTED_QUERY_NOT_FOUND':
      return 'This page sent a request the server did not understand: reload the page (it may be out of date).';
    case 'INTERNAL_SERVER_ERROR':
      return 'Something went wrong on the server: try again later.';
    default:
      return code ? `The request failed (${code}).` : 'The request failed.';
  }
}

/** One human sentence for anything Apollo Client or the socket may throw. */
export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    const sentences = error.errors.map((e) => sentenceForCode(e.extensions?.code as string | undefined, e.extensions ?? {}));
    return [...new Set(sentences)].join(' ');
  }
  if (ServerError.is(error)) {
    const codes = codesInBody(error.bodyText);
    if (codes.length) return [...new Set(codes.map((c) => sentenceForCode(c.code, c.extensions)))].join(' ');
    return error.statusCode >= 500
      ? 'The server is unavailable right now: try again in a moment.'
      : `The server refused the request (HTTP ${error.statusCode}).`;
  }
  if (ServerParseError.is(error)) return 'The server answered with something unreadable: try again later.';
  if (isCloseEvent(error)) {
    if (error.code === 4403) return 'The live connection refused your token: sign in again with a valid token.';
    return 'The live connection dropped: reconnecting…';
  }
  if (error instanceof TypeError) return 'The server cannot be reached: check your connection.';
  return 'Something went wrong: try again.';
}

function isCloseEvent(e: unknown): e is { code: number } {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'number';
}

function codesInBody(bodyText: string): { code: string; extensions: Record<string, unknown> }[] {
  try {
    const body = JSON.parse(bodyText) as { errors?: { extensions?: Record<string, unknown> }[] };
    return (body.errors ?? []).map((e) => ({ code: String(e.extensions?.code ?? ''), extensions: e.extensions ?? {} }));
  } catch {
    return [];
  }
}
