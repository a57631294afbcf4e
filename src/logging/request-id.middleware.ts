import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A request once requestIdMiddleware has run (Express's Request is one). */
export type RequestWithId = IncomingMessage & { requestId?: string };

// Incoming ids end up in log lines and a response header: only plain tokens are trusted, anything else is replaced.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Keeps a caller's (or proxy's) id so one request can be followed across services; otherwise makes one. */
export function resolveRequestId(header: string | string[] | undefined): string {
  const incoming = Array.isArray(header) ? header[0] : header;
  return incoming !== undefined && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Express middleware (`app.use(requestIdMiddleware)`): sets `req.requestId` and echoes it in `x-request-id`. */
export function requestIdMiddleware(req: RequestWithId, res: ServerResponse, next: () => void): void {
  req.requestId = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
  res.setHeader(REQUEST_ID_HEADER, req.requestId);
  next();
}
