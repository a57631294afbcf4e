import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { graphiqlInlineScript } from '../graphiql/graphiql-page';
import { REQUEST_ID_HEADER } from '../logging/request-id';

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

/**
 * The one `onRequest` hook of ours (app.ts), first: the security headers and the request's id (`x-request-id`, made by
 * resolveRequestId through Fastify's `genReqId`), before any handler runs, so every route, asset, error and 404 has
 * them. Set on the Node.js response, which Fastify merges into whatever it sends.
 */
export function responseHeadersHook(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const res = reply.raw;
  for (const [name, value] of SECURITY_HEADER_ENTRIES) res.setHeader(name, value);
  res.setHeader(REQUEST_ID_HEADER, request.id);
  done();
}
