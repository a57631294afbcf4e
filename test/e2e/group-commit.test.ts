import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { planShoeWrite } from '../../src/shoes/commands/shoe-write-plans';
import { RatingGroupCommit } from '../../src/shoes/write/rating-group-commit';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gql, gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Ratings share transactions (src/shoes/write/rating-group-commit.ts). Over real HTTP, a burst of concurrent
 * ratings, some of which must be rejected: every accepted one answers with the shoe as its own write left it, the
 * rejected ones fail alone with their own code, and (TestServer.close) the projections still equal the fold.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

it('a burst of ratings shares transactions; each answers with its own version; rejections fail alone', async () => {
  // given 3 shoes and 20 users
  const secret = server.settings.jwtSecret;
  const admin = await token(secret, 'group-admin', ['admin']);
  const shoes = await Promise.all(
    [0, 1, 2].map(async (i) => (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Group ${i} ${randomUUID()}` } }, admin)).createShoe.id),
  );
  const users = await Promise.all(Array.from({ length: 20 }, (_, i) => token(secret, `group-user-${i}`)));

  // when every user rates every shoe at once, alongside ratings of an unknown shoe and of an impossible size
  const valid = users.flatMap((user, u) => shoes.map((shoeId, s) => ({ user, shoeId, size: ((u + s) % 5) + 1 })));
  const rate = (shoeId: string, size: number, user: string) => gql(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId, size } }, { token: user });
  const [accepted, unknown, impossible] = await Promise.all([
    Promise.all(valid.map((r) => rate(r.shoeId, r.size, r.user))),
    Promise.all(users.slice(0, 5).map((user) => rate(randomUUID(), 3, user))),
    Promise.all(users.slice(0, 5).map((user) => rate(shoes[0], 7, user))),
  ]);

  // then the rejected ones got their own codes
  expect(unknown.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(5).fill('NOT_FOUND'));
  expect(impossible.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(5).fill('BAD_USER_INPUT'));
  // and every accepted one answered with the version of its own event, which carries its size
  expect(accepted.filter((r) => r.errors)).toEqual([]);
  const rows: { stream_id: string; version: number; size: number; tx: string }[] = await server.app
    .get(DataSource)
    .query(`SELECT stream_id::text, version, (data->>'size')::int AS size, transaction_id::text AS tx FROM events WHERE stream_id = ANY($1::uuid[]) AND type = 'TrueToSizeSubmitted'`, [shoes]);
  const byVersion = new Map(rows.map((row) => [`${row.stream_id}:${row.version}`, row.size]));
  accepted.forEach((r, i) => expect(byVersion.get(`${valid[i].shoeId}:${r.data!.submitTrueToSize.version}`)).toBe(valid[i].size));
  expect(rows).toHaveLength(valid.length);
  for (const shoeId of shoes) expect(Math.max(...rows.filter((r) => r.stream_id === shoeId).map((r) => r.version))).toBe(21);
  // and at least one transaction carried ratings of several commands (the group commit happened)
  const perTransaction = new Map<string, number>();
  for (const row of rows) perTransaction.set(row.tx, (perTransaction.get(row.tx) ?? 0) + 1);
  expect(Math.max(...perTransaction.values())).toBeGreaterThan(1);
});

it('a statement that fails in a batch fails only the command that causes it', async () => {
  // given 6 shoes, and a rating the database refuses though the domain accepts it: its time is before
  // PostgreSQL's earliest timestamp (271822 BC), so the batch's append fails
  const admin = await token(server.settings.jwtSecret, 'group-admin', ['admin']);
  const shoes = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Split ${i} ${randomUUID()}` } }, admin)).createShoe.id),
  );
  const ratings = server.app.get(RatingGroupCommit);
  const write = (shoeId: string, now: Date) =>
    ratings.run(planShoeWrite({ type: 'SubmitTrueToSize', data: { shoeId, userId: 'split-user', size: 4 }, metadata: { now, userId: 'split-user' } }, null));

  // when they are queued together (the first two start alone; the rest share a batch with the bad one)
  const outcomes = await Promise.allSettled([...shoes.slice(0, 5).map((shoeId) => write(shoeId, new Date())), write(shoes[5], new Date(-8.64e15))]);

  // then the good ones committed, each with its own event, and the bad one failed with the database's refusal
  expect(outcomes.slice(0, 5).map((o) => o.status)).toEqual(Array(5).fill('fulfilled'));
  expect(outcomes.slice(0, 5).map((o) => (o as PromiseFulfilledResult<{ version: number }>).value.version)).toEqual(Array(5).fill(2));
  expect(outcomes[5]).toMatchObject({ status: 'rejected', reason: expect.any(QueryFailedError) });
  const counts: { n: number }[] = await server.app
    .get(DataSource)
    .query(`SELECT count(*)::int AS n FROM events WHERE stream_id = ANY($1::uuid[]) AND type = 'TrueToSizeSubmitted'`, [shoes]);
  expect(counts[0].n).toBe(5);
});
