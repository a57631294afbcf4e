import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, RouteOptions } from 'fastify';
import { entityTag, ifNoneMatchMatches, varyHeader } from '../graphql/http-cache';
import { graphiqlPage } from './graphiql-page';

/**
 * How the IDE page (GET /graphql preferring text/html) may be cached: `no-cache` with a strong ETag.
 * The page is the same for every visitor and changes only with a deployment, so a cache may keep it, but it
 * revalidates before each use: a visit then costs a 304 of a few hundred bytes instead of the ~1 KB page, and a new
 * deployment's page (whose inline script must match the CSP hash sent with it, and whose asset URLs carry no version)
 * is seen at once rather than after a max-age. A short max-age would save that round trip too rarely to matter: the
 * IDE is opened by hand. It is the dashboard's index.html policy too (web-app.ts).
 */
export const GRAPHIQL_PAGE_CACHE_CONTROL = 'no-cache';

/** The page is built once per process from constants, so its tag is too. */
const PAGE_ETAG = entityTag(graphiqlPage());

/**
 * Apollo serves the page (graphiql-landing-page.plugin.ts) with a content-type and nothing else, and its landing page
 * has no hook to add headers. So an `onSend` hook of the GraphQL route alone (added as Apollo registers it, through
 * `onRoute`; no other route pays for it) adds Cache-Control, ETag and Vary to an HTML answer of a GET, and answers a
 * matching If-None-Match with 304. Vary is the one GET /graphql's JSON answers send (http-cache.ts): the same URL
 * answers HTML or JSON by Accept. Must be installed before the application starts (app.ts).
 */
export function installGraphiqlCaching(fastify: FastifyInstance, path: string, corsEnabled: boolean): void {
  const vary = varyHeader(corsEnabled);
  const onSend: onSendHookHandler = (request: FastifyRequest, reply: FastifyReply, payload, done) => {
    if (request.method !== 'GET' || !String(reply.getHeader('content-type')).startsWith('text/html')) return done(null, payload);
    void reply.header('cache-control', GRAPHIQL_PAGE_CACHE_CONTROL).header('etag', PAGE_ETAG).header('vary', vary);
    if (!ifNoneMatchMatches(request.headers['if-none-match'], PAGE_ETAG)) return done(null, payload);
    // RFC 9110 §15.4.5: the same validators and Cache-Control as the 200 would carry, and no body. A null payload,
    // so that Fastify sends no Content-Length (one of 0 would misstate the page's length, RFC 9110 §8.6).
    void reply.code(304).removeHeader('content-length');
    done(null, null);
  };
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (route.url !== path || !([] as string[]).concat(route.method).includes('GET')) return;
    route.onSend = [...([] as onSendHookHandler[]).concat(route.onSend ?? []), onSend];
  });
}
