import { verifyToken } from '../../src/auth/jwt';
import { CreateShoeDocument } from '../generated/graphql';
import { gql } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/** POST /dev/token: one-click tokens outside production; in production the route does not exist at all. */
const PRODUCTION = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-at-least-32-chars', LOG_LEVEL: 'error' };

const baseOf = (server: TestServer) => server.httpUrl.replace(/\/graphql$/, '');
const post = (server: TestServer, body: unknown) =>
  fetch(`${baseOf(server)}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('outside production (NODE_ENV=test)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('says it exists on GET, so the dashboard knows to offer one-click sign-in', async () => {
    const res = await fetch(`${baseOf(server)}/dev/token`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ available: true });
  });

  it('mints an admin token with the configured secret that the API accepts', async () => {
    const res = await post(server, { sub: 'dev-admin', admin: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; roles: string[]; sub: string };
    expect(body).toMatchObject({ sub: 'dev-admin', roles: ['admin'] });
    await expect(verifyToken(body.token, server.settings.jwtSecret)).resolves.toMatchObject({ userId: 'dev-admin', isAdmin: true });
    const created = await gql(server.httpUrl, CreateShoeDocument, { input: { name: 'Dev token shoe', brand: 'Dev' } }, { token: body.token });
    expect(created.errors).toBeUndefined();
    expect(created.data?.createShoe.name).toBe('Dev token shoe');
  });

  it('mints a non-admin token when admin is false or absent', async () => {
    for (const body of [{ sub: 'dev-user', admin: false }, { sub: 'dev-user' }]) {
      const res = await post(server, body);
      const { token } = (await res.json()) as { token: string };
      await expect(verifyToken(token, server.settings.jwtSecret)).resolves.toMatchObject({ userId: 'dev-user', isAdmin: false, roles: [] });
      const refused = await gql(server.httpUrl, CreateShoeDocument, { input: { name: 'Not allowed', brand: null } }, { token });
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
  });

  it.each([[{}], [{ sub: '  ' }], [{ sub: 42 }], [{ sub: 'x'.repeat(256) }], [{ sub: 'a\u0000b' }], [{ sub: 'a\nb' }], [{ sub: '\ud800' }], [{ sub: 'alice', admin: 'yes' }], [[1, 2]]])(
    'refuses %j with 400',
    async (body) => {
      const res = await post(server, body);
      expect(res.status).toBe(400);
    },
  );
});

describe('in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(PRODUCTION);
  });
  afterAll(() => server?.close());

  it('has no /dev/token route: GET and POST are 404, and nothing is minted', async () => {
    expect(server.settings.env).toBe('production');
    expect((await fetch(`${baseOf(server)}/dev/token`)).status).toBe(404);
    const res = await post(server, { sub: 'mallory', admin: true });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/eyJ/); // no JWT in the answer
    // The rest of the server is there: this is the route missing, not the server.
    expect((await fetch(`${baseOf(server)}/health/live`)).status).toBe(200);
  });
});
