import { CreateShoeDocument, ShoesDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gql, gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/** RATE_LIMITED with extensions.retryAfter, per user and per address, for mutations only. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: '3', RATE_LIMIT_ADDRESS_PER_MINUTE: '8' });
});
afterAll(() => server?.close());

it('limits mutations per user, names the wait, and appends nothing for a refused one', async () => {
  const admin = await token(server.settings.jwtSecret, 'limited-admin', ['admin']);
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Limited' } }, admin)).createShoe;
  await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 2 } }, admin);
  await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 3 } }, admin);
  const refused = await gql(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 4 } }, { token: admin });
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 20 });
  const read = await gqlOk(server.httpUrl, ShoesDocument, { search: 'Limited' });
  expect(read.shoes.edges[0].node).toMatchObject({ version: 3, trueToSize: { average: 3 } });

  const other = await token(server.settings.jwtSecret, 'someone-else');
  await expect(gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 1 } }, other)).resolves.toBeDefined();
});

it('limits mutations per address, even without a valid token, and never limits reads', async () => {
  // This address has spent 5 of its 8 in the test above; three more calls, valid or not, use up the rest.
  for (let i = 0; i < 3; i++) {
    const res = await gql(server.httpUrl, CreateShoeDocument, { input: { name: `Nope ${i}` } }, { token: 'not-a-token' });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  }
  const fresh = await token(server.settings.jwtSecret, 'fresh-user', ['admin']);
  const refused = await gql(server.httpUrl, CreateShoeDocument, { input: { name: 'Too many' } }, { token: fresh });
  expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  expect(refused.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
  for (let i = 0; i < 20; i++) await expect(gqlOk(server.httpUrl, ShoesDocument, { first: 1 })).resolves.toBeDefined();
});
