import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { graphiqlInlineScript } from '../graphiql/graphiql-page';

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

/** Express middleware: sets the headers before any handler runs, so every route (and every error page) has them. */
export function securityHeadersMiddleware(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
}
