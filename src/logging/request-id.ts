import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// Incoming ids end up in log lines and a response header: only plain tokens are trusted, anything else is replaced.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Keeps a caller's (or proxy's) id so one request can be followed across services; otherwise makes one. Called once
 * per request by the 'request' listener beneath Fastify (src/web/security-headers.ts), whose id Fastify's `genReqId`
 * reuses: the id is `request.id`, echoed in `x-request-id` and written on the request's log line.
 */
export function resolveRequestId(header: string | string[] | undefined): string {
  const incoming = Array.isArray(header) ? header[0] : header;
  return incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
