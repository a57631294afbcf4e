import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { buildSchemaFromCode, printSortedSchema } from '../../src/graphql/print-schema';
import { SHOE_RESOLVERS } from '../../src/shoes/graphql/shoe.resolvers';
import { ShoesDocument } from '../generated/graphql';
import { gql } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('schema.gql', () => {
  it('is what the code generates (run `npm run schema:generate` after changing the API)', async () => {
    const committed = readFileSync(path.join(root, 'schema.gql'), 'utf8');
    expect(printSortedSchema(await buildSchemaFromCode(SHOE_RESOLVERS))).toBe(committed);
    expect(printSortedSchema(server.app.get(GraphQLSchemaHost).schema)).toBe(committed);
  });
});

describe('HTTP endpoints', () => {
  it('serves GraphiQL on GET /graphql from its own assets, with no request to any other host', async () => {
    const res = await fetch(server.httpUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/GraphiQL\.createFetcher/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // every script and stylesheet is same-origin
    const assets = [...html.matchAll(/(?:src|href)="(\/graphiql\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets).toHaveLength(4);
    const base = server.httpUrl.replace(/\/graphql$/, '');
    for (const asset of assets) {
      const file = await fetch(base + asset);
      expect(file.status).toBe(200);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect((await fetch(`${base}/graphiql/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('answers /health/live and /health/ready with JSON', async () => {
    const base = server.httpUrl.replace(/\/graphql$/, '');
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', database: 'up' });
  });

  it('echoes a safe x-request-id and generates one otherwise', async () => {
    const given = await gql(server.httpUrl, ShoesDocument, { first: 1 }, { headers: { 'x-request-id': 'req-123' } });
    expect(given.headers.get('x-request-id')).toBe('req-123');
    const generated = await gql(server.httpUrl, ShoesDocument, { first: 1 });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps introspection on', async () => {
    const res = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(await res.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('settings', () => {
  const start = (env: Record<string, string>) =>
    run(process.execPath, [path.join(root, 'dist/main.js')], { env: { ...process.env, ...env }, timeout: 20000 });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'chatty' }],
    ['JWT_SECRET', { NODE_ENV: 'production', JWT_SECRET: '' }],
  ])('a bad %s stops the start with one line naming it', async (name, env) => {
    const failure = await start(env).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    const lines = failure!.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });
});
