import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../config/repo-root';

/** Where `npm run build` (vite build web) writes the dashboard. */
export function defaultWebDist(): string {
  return join(findRepoRoot(), 'web', 'dist');
}

/**
 * The dashboard's own pages (client-side routes, web/src/router.ts): each answers index.html, so a shoe page's
 * address works when reloaded or opened from a bookmark. Anything else that is not a file still gets a 404.
 */
export const WEB_APP_PAGES = ['/', '/shoes/:id'];

const NOT_BUILT_PAGE =
  '<!doctype html><meta charset="utf-8"><title>true-to-size</title>' +
  '<h1>The dashboard is not built</h1>' +
  '<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first) to build it into ' +
  '<code>web/dist</code>. The API is up: <a href="/graphql">/graphql</a>.</p>';

/**
 * Serves the dashboard (web/dist, built by `npm run build`) at `/` (and its other pages, WEB_APP_PAGES) from the same
 * server as the API, with @fastify/static. Only files that exist in web/dist are answered (anything else goes on to
 * the 404), and its catch-all route ranks below every named one, so `/graphql`, `/health`, `/metrics` and the IDE's
 * assets still reach their handlers. When web/dist is missing (a server built with tsc alone), `/` says how to build
 * it instead of failing. Looked up per request: building the web app while the server runs makes `/` work without a
 * restart.
 */
export function serveWebApp(app: NestFastifyApplication, dir: string = defaultWebDist()): void {
  const assets = join(dir, 'assets');
  void app.register(fastifyStatic, {
    root: dir,
    index: false,
    cacheControl: false, // set below instead of @fastify/static's `max-age=0`
    // Vite names its bundles by content hash: cache them for long; everything else revalidates.
    // (sendFile of other folders, such as the IDE's assets, keeps the cache-control it was given.)
    setHeaders: (reply: FastifyReply, file: string) => {
      // RFC 9239's type for scripts, as Express sent it (@fastify/send says application/javascript).
      if (file.endsWith('.js')) void reply.header('content-type', 'text/javascript; charset=utf-8');
      if (file.startsWith(assets)) void reply.header('cache-control', 'public, max-age=31536000, immutable');
      else if (file.startsWith(dir)) void reply.header('cache-control', 'no-cache');
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  for (const page of WEB_APP_PAGES) {
    fastify.get(page, (_request, reply) => {
      if (existsSync(join(dir, 'index.html'))) void reply.sendFile('index.html', dir);
      // no-store: the page stops being true the moment the dashboard is built, which needs no restart.
      else void reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    });
  }
}
