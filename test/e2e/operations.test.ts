import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { CreateShoeDocument, ImportTrueToSizesDocument, ShoeDocument, ShoesDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gql, gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** The operator's tools, run as a user runs them: the built CLIs against the server's database. */
describe('npm run projections:rebuild', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('finds no difference on a healthy database, and reports and repairs a drifted read model', async () => {
    const admin = await token(server.settings.jwtSecret, 'ops', ['admin']);
    const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Drifter', brand: 'Ops' } }, admin)).createShoe;
    await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: shoe.id, sizes: [1, 2, 3] } }, admin);
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 5 } }, admin);
    const rebuild = (...args: string[]) =>
      run(process.execPath, [path.join(root, 'dist/shoes/projections/rebuild.cli.js'), ...args], {
        env: { ...process.env, DATABASE_URL: server.db.url, NODE_ENV: 'test' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
      );

    const healthy = await rebuild();
    expect(healthy).toMatchObject({ code: 0 });
    expect(healthy.stdout).toMatch(/rebuilt 1 shoes from 3 events .*: no difference/);

    const db = await new DataSource(dataSourceOptions(server.db.url, 1)).initialize();
    await db.query(`UPDATE shoes SET rating_count = 99, size_5 = 0 WHERE id = $1`, [shoe.id]);
    await db.query(`DELETE FROM shoe_ratings WHERE shoe_id = $1`, [shoe.id]);
    await db.destroy();

    const dry = await rebuild('--dry-run');
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain(`shoe ${shoe.id}: rating_count is 99, the log says 4`);
    expect(dry.stdout).toContain(`shoe ${shoe.id}: shoe_ratings differ from the log`);
    expect((await gqlOk(server.httpUrl, ShoeDocument, { id: shoe.id })).shoe?.trueToSize.count).toBe(99);

    const repaired = await rebuild();
    expect(repaired.code).toBe(2);
    expect(repaired.stdout).toMatch(/differences repaired/);
    const after = (await gqlOk(server.httpUrl, ShoeDocument, { id: shoe.id })).shoe;
    expect(after?.trueToSize).toMatchObject({ count: 4, average: 11 / 4 });
    expect(await rebuild()).toMatchObject({ code: 0 });
  });
});

describe('npm run token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('mints a token from the configured secret that the server accepts', async () => {
    const mint = (role: string[]) =>
      run(process.execPath, [path.join(root, 'dist/auth/mint-token.cli.js'), '--sub', 'cli-user', ...role], {
        env: { ...process.env, NODE_ENV: 'test' },
      }).then(({ stdout }) => stdout.trim());
    const admin = await mint(['--role', 'admin']);
    const created = await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Minted' } }, admin);
    expect(created.createShoe.name).toBe('Minted');
    const user = await mint([]);
    const refused = await gql(server.httpUrl, CreateShoeDocument, { input: { name: 'Minted 2' } }, { token: user });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-characters', LOG_LEVEL: 'error' });
  });
  afterAll(() => server?.close());

  it('answers INTERNAL_SERVER_ERROR with no stack trace or SQL', async () => {
    const db = await new DataSource(dataSourceOptions(server.db.url, 1)).initialize();
    await db.query(`ALTER TABLE shoes RENAME TO shoes_gone`);
    try {
      const res = await gql(server.httpUrl, ShoesDocument, { first: 1 });
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      const { message, extensions } = res.errors![0];
      expect(JSON.stringify({ message, extensions })).not.toMatch(/shoes|relation|select|stacktrace|\.ts:/i);
    } finally {
      await db.query(`ALTER TABLE shoes_gone RENAME TO shoes`);
      await db.destroy();
    }
  });
});
