import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { graphiqlInlineScript } from '../graphiql/graphiql-page';
import { REQUEST_ID_HEADER, resolveRequestId } from '../logging/request-id';

/** A CSP source for one inline script, so the IDE page's bootstrap runs without allowing inline scripts at large. */
function scriptHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

/**
 * One policy for every response (the dashboard at `/` and `/shoes/*`, the IDE on GET /graphql, JSON answers alike):
 * - scripts only from our own origin (Vite bundles, the IDE's assets from node_modules) plus the IDE's one inline
 *   bootstrap by hash; no eval;
 * - styles may be inline: GraphiQL (CodeMirror 5) and React set style attributes, and the IDE page has a <style>;
 *   a caveat we accept, since style injection cannot run code;
 * - fonts and images may be data: URIs (GraphiQL's stylesheet embeds them);
 * - connect-src 'self' also covers ws:/wss: to the same host (CSP 3), which the IDE's subscriptions use;
 * - no framing (clickjacking), no plugins, no <base> rewriting.
 * The dashboard keeps its token in localStorage, so script-src is what matters most here.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' ${scriptHash(graphiqlInlineScript())}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY', // for browsers that ignore frame-ancestors
  'referrer-policy': 'no-referrer', // shoe ids in /shoes/* addresses stay ours
};

const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

const REQUEST_ID = Symbol('requestId');
type StampedRequest = IncomingMessage & { [REQUEST_ID]?: string };

/**
 * Installs our headers beneath Fastify, on the Node.js server itself (app.ts, before `listen`), so that every answer
 * has them, including those Fastify and Node.js write before any hook of ours could run (test/web/framework-answers):
 * - every request: a 'request' listener ahead of Fastify's sets the security headers and the request's id
 *   (stampResponse); Fastify merges them into whatever it sends: a route's answer, a 404, a bad body's 400/413/415,
 *   and also the router's own 400 for a malformed URL (`/%zz`) and 414 for an over-long parameter (frameworkErrors),
 *   and the 503 of a closing server (return503OnClosing), which all bypass the `onRequest` hooks;
 * - `Expect` other than 100-continue: Node.js answers 417 itself unless 'checkExpectation' has a listener; ours answers
 *   the same 417 with our headers.
 * Client errors (unparsable HTTP, headers too large, a request timeout) never become requests: clientErrorAnswer.
 */
export function installResponseHeaders(server: Server): void {
  server.prependListener('request', stampResponse);
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    stampResponse(req, res);
    res.writeHead(417, { 'content-length': '0' }).end();
  });
}

/**
 * The security headers and `x-request-id` on the Node.js response. The id (resolveRequestId: the caller's when it is a
 * safe token, else a new UUID) is kept on the request for Fastify's `genReqId` (requestIdOf), so that the header, the
 * log line and `request.id` agree.
 */
export function stampResponse(req: IncomingMessage, res: ServerResponse): void {
  for (const [name, value] of SECURITY_HEADER_ENTRIES) res.setHeader(name, value);
  const id = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
  (req as StampedRequest)[REQUEST_ID] = id;
  res.setHeader(REQUEST_ID_HEADER, id);
}

/** Fastify's `genReqId`: the id stampResponse gave the request (resolved here only for a request it did not see). */
export function requestIdOf(req: IncomingMessage): string {
  return (req as StampedRequest)[REQUEST_ID] ?? resolveRequestId(req.headers[REQUEST_ID_HEADER]);
}

/**
 * Fastify's `clientErrorHandler`: Fastify's own answers (408 for a request timeout, 431 for headers too large, 400 for
 * anything unparsable; same bodies) with our security headers. Written raw on the socket, as Fastify does, since no
 * request exists; for the same reason there is no request id to send. Every such answer closes the connection.
 */
export function clientErrorAnswer(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return; // nobody left to answer
  const [status, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Client Error'];
  if (socket.writable) socket.write(rawAnswer(status, message));
  socket.destroy(err);
}

/**
 * A refused WebSocket handshake (socket-handshake-refusals.ts): the request was an upgrade, so no response object
 * exists and the answer is written raw, as `ws` writes its own, but with our headers and the request's id. The
 * connection ends once the answer is written.
 */
export function refuseUpgrade(req: IncomingMessage, socket: Duplex, status: number, message: string, headers: Readonly<Record<string, string>> = {}): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(rawAnswer(status, message, { [REQUEST_ID_HEADER]: requestIdOf(req), ...headers }));
}

const RAW_HEAD = SECURITY_HEADER_ENTRIES.map(([name, value]) => `${name}: ${value}\r\n`).join('');

/** An answer for a socket without a response object: Fastify's JSON error body, our security headers, `connection: close`. */
function rawAnswer(status: number, message: string, headers: Readonly<Record<string, string>> = {}): string {
  const reason = STATUS_CODES[status]!;
  const body = JSON.stringify({ error: reason, message, statusCode: status });
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return (
    `HTTP/1.1 ${status} ${reason}\r\n${RAW_HEAD}${extra}content-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

const CLIENT_ERRORS: Readonly<Record<string, readonly [number, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Client Timeout'],
  HPE_HEADER_OVERFLOW: [431, 'Exceeded maximum allowed HTTP header size'],
};
