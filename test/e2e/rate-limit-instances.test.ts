import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createApp } from '../../src/app';
import { loadSettings } from '../../src/config/load-settings';
import { SWEEP_FULL_BUCKETS } from '../../src/rate-limit/rate-limit-buckets.sql';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gql, gqlOk, token } from '../support/graphql-client';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { readLog } from '../cluster/cluster-kit';

/**
 * Issue 9, item 5: two instances on one database enforce one limit per user and per address, not one each
 * (with buckets in each process's memory, N instances allowed N × the limit).
 */
const USER_LIMIT = 3;
const ADDRESS_LIMIT = 10;

let db: TestDatabase;
const apps: INestApplication[] = [];
const urls: string[] = [];
const settings = loadSettings({
  ...process.env,
  NODE_ENV: 'test',
  PORT: '0',
  DEMO_DATA: undefined,
  RATE_LIMIT_USER_PER_MINUTE: String(USER_LIMIT),
  RATE_LIMIT_ADDRESS_PER_MINUTE: String(ADDRESS_LIMIT),
});

beforeAll(async () => {
  db = await createTestDatabase('tts_rl');
  for (let i = 0; i < 2; i++) {
    const app = await createApp(settings, db.url);
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    urls.push(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/graphql`);
  }
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await db?.drop();
});

it("two instances together allow one user's limit, and the refused mutation appends nothing", async () => {
  const admin = await token(settings.jwtSecret, 'shared-admin', ['admin']);
  const shoe = (await gqlOk(urls[0], CreateShoeDocument, { input: { name: 'Shared limit' } }, admin)).createShoe;
  const user = await token(settings.jwtSecret, 'shared-user');
  // Alternating instances: the admin's three mutations (two on instance 0, one on 1) spend the user's limit of 3.
  await gqlOk(urls[1], SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 2 } }, admin);
  await gqlOk(urls[0], SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 3 } }, admin);
  const before = await readLog(urls[0]);

  const refused = await gql(urls[1], SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 4 } }, { token: admin });
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 20 });
  const againRefused = await gql(urls[0], SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 5 } }, { token: admin });
  expect(againRefused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
  expect(await readLog(urls[1])).toEqual(before);

  // Another user is not held back by the first one's spent allowance, on either instance.
  await expect(gqlOk(urls[1], SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 1 } }, user)).resolves.toBeDefined();
});

it('two instances together allow one address its limit, callers without a valid token included', async () => {
  // This address has spent 6 of its 10 above (4 allowed, 2 refused by the user limit); 4 more, split across
  // the instances, use up the rest.
  for (let i = 0; i < 4; i++) {
    const res = await gql(urls[i % 2], CreateShoeDocument, { input: { name: `Nope ${i}` } }, { token: 'not-a-token' });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  }
  const fresh = await token(settings.jwtSecret, 'fresh-admin', ['admin']);
  for (const url of urls) {
    const refused = await gql(url, CreateShoeDocument, { input: { name: 'Too many' } }, { token: fresh });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  }
});

it('the sweep deletes buckets idle for a minute (full again) and keeps the others', async () => {
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    const buckets = async () =>
      (await pg.query<{ key: string }>(`SELECT scope || ':' || subject AS key FROM rate_limit_buckets ORDER BY 1`)).rows.map((r) => r.key);
    // No bucket for fresh-admin: a call refused for its address spends nothing of its user's allowance.
    expect(await buckets()).toEqual(['address:127.0.0.1', 'user:shared-admin', 'user:shared-user']);
    await pg.query(`UPDATE rate_limit_buckets SET updated_at = updated_at - interval '61 seconds' WHERE scope = 'user'`);
    await pg.query(SWEEP_FULL_BUCKETS);
    expect(await buckets()).toEqual(['address:127.0.0.1']);
  } finally {
    await pg.end();
  }
});
