import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpAdapter } from '../../src/app';
import { serveWebApp } from '../../src/web/web-app';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * How the HTML pages and their files may be cached (issue 11 follow-up): the GraphiQL page and the dashboard's pages
 * revalidate before each use (no-cache, with a validator); bundles named by content hash are immutable; the IDE's
 * assets keep a day; the "not built" page is never stored.
 */
describe('the GraphiQL page (GET /graphql, Accept text/html)', () => {
  let server: TestServer;
  const html = { accept: 'text/html' };
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('says no-cache, with a strong ETag and Vary: Accept (the same URL answers JSON)', async () => {
    const res = await fetch(server.httpUrl, { headers: html });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GraphiQL');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers.get('vary')).toMatch(/(^|, )Accept(,|$)/);
    // The same page, the same tag: it is static per deployment.
    expect((await fetch(server.httpUrl, { headers: html })).headers.get('etag')).toBe(res.headers.get('etag'));
  });

  it('answers a matching If-None-Match (strong, weak, in a list) with 304, no body and the same headers', async () => {
    const etag = (await fetch(server.httpUrl, { headers: html })).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await fetch(server.httpUrl, { headers: { ...html, 'if-none-match': ifNoneMatch } });
      expect([ifNoneMatch, res.status]).toEqual([ifNoneMatch, 304]);
      expect(await res.text()).toBe('');
      expect(res.headers.get('content-length')).toBeNull();
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('sends the page again when the tag does not match', async () => {
    const res = await fetch(server.httpUrl, { headers: { ...html, 'if-none-match': '"stale"' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('GraphiQL');
  });

  it('leaves the JSON answers of the same route to the HTTP cache policy of GraphQL', async () => {
    const post = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-none-match': '*' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('cache-control')).toBe('no-store');
    expect(post.headers.get('etag')).toBeNull();
  });

  it("keeps the IDE's assets for a day, with a validator", async () => {
    const res = await fetch(server.httpUrl.replace(/\/graphql$/, '/graphiql/assets/graphiql.js'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(res.headers.get('etag')).toBeTruthy();
  });
});

@Module({})
class EmptyModule {}

describe('the dashboard', () => {
  let app: NestFastifyApplication;
  let origin: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tts-web-'));
    app = await NestFactory.create<NestFastifyApplication>(EmptyModule, httpAdapter(), { logger: false });
    serveWebApp(app, join(dir, 'dist'));
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never stores the "not built" page, and revalidates the pages once built; hashed bundles are immutable', async () => {
    const missing = await fetch(`${origin}/`);
    expect(missing.status).toBe(503);
    expect(missing.headers.get('cache-control')).toBe('no-store');

    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'dist', 'assets', 'app-abc123.js'), 'console.log(1)');
    for (const page of ['/', '/shoes/0b7e6f0e-3c1a-4c55-9b1e-2f6f3f0a9d11']) {
      const res = await fetch(origin + page);
      expect([page, res.status, res.headers.get('cache-control')]).toEqual([page, 200, 'no-cache']);
      expect(res.headers.get('etag')).toBeTruthy();
    }
    const bundle = await fetch(`${origin}/assets/app-abc123.js`);
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
