import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpAdapter } from '../../src/app';
import { serveWebApp } from '../../src/web/web-app';

@Module({})
class EmptyModule {}

/** `/` without a built dashboard says how to build it (and the server still starts); once built, `/` serves it. */
test('a missing web/dist does not break the server: `/` explains how to build the dashboard', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tts-web-'));
  const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, httpAdapter(), { logger: false });
  try {
    serveWebApp(app, join(dir, 'dist'));
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const missing = await fetch(`http://127.0.0.1:${port}/`);
    expect(missing.status).toBe(503);
    expect(await missing.text()).toContain('npm run build');

    // Built while the server runs: served without a restart, assets too, and unknown paths still 404.
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    const built = await fetch(`http://127.0.0.1:${port}/`);
    expect(built.status).toBe(200);
    expect(await built.text()).toContain('<div id="root">');
    const asset = await fetch(`http://127.0.0.1:${port}/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    // A shoe page's address is the app too (reload, bookmark); deeper or other paths are not.
    const deepLink = await fetch(`http://127.0.0.1:${port}/shoes/0b7e6f0e-3c1a-4c55-9b1e-2f6f3f0a9d11`);
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<div id="root">');
    expect((await fetch(`http://127.0.0.1:${port}/shoes/x/y`)).status).toBe(404);
    writeFileSync(join(dir, 'secret.txt'), 'outside web/dist');
    const escape = await fetch(`http://127.0.0.1:${port}/..%2Fsecret.txt`);
    expect(escape.status).not.toBe(200);
    expect(await escape.text()).not.toContain('outside web/dist');
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
