import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express, Request, Response } from 'express';
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

/**
 * Serves the dashboard (web/dist, built by `npm run build`) at `/` (and its other pages, WEB_APP_PAGES) from the same
 * server as the API. Only files that exist in web/dist are answered, so `/graphql`, `/health`, `/metrics` and the
 * IDE's assets still reach their handlers. When web/dist is missing (a server built with tsc alone), `/` says how to build it instead of failing.
 * Checked per request: building the web app while the server runs makes `/` work without a restart.
 */
export function serveWebApp(app: INestApplication, dir: string = defaultWebDist()): void {
  const express = app as NestExpressApplication;
  express.useStaticAssets(dir, {
    index: false,
    setHeaders: (res, file) => {
      // Vite names its bundles by content hash: cache them for long; everything else revalidates.
      res.setHeader('cache-control', file.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  (express.getHttpAdapter().getInstance() as Express).get(WEB_APP_PAGES, (_req: Request, res: Response) => {
    const index = join(dir, 'index.html');
    if (existsSync(index)) {
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
      return;
    }
    res
      .status(503)
      .type('html')
      .send(
        '<!doctype html><meta charset="utf-8"><title>true-to-size</title>' +
          '<h1>The dashboard is not built</h1>' +
          '<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first) to build it into ' +
          '<code>web/dist</code>. The API is up: <a href="/graphql">/graphql</a>.</p>',
      );
  });
}
