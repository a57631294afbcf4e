import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { planShoeWrite } from '../../src/shoes/commands/shoe-write-plans';
import { ShoeWritePipeline } from '../../src/shoes/write/shoe-write-pipeline';
import { CreateShoeDocument } from '../generated/graphql';
import { gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * How many round trips to PostgreSQL a batch of ratings costs (src/shoes/write/shoe-write-pipeline.ts): every
 * `query` a node-postgres client sends is one round trip, so the test records each client's queries while a batch
 * runs and counts those of the connection that carried the transaction. A count, not a timing: it fails when a
 * change adds a statement to the hot write.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type Sent = { client: pg.Client; text: string; name?: string };

/** Every query any node-postgres client sends while `run` runs (the real driver underneath, only counted). */
async function recordQueries<T>(run: () => Promise<T>): Promise<{ result: T; sent: Sent[] }> {
  const sent: Sent[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text: string; name?: string };
    sent.push({ client: this, ...(typeof config === 'string' ? { text: config } : { text: config.text, name: config.name }) });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await run(), sent };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** The queries of the one connection that began a transaction, from its BEGIN to its COMMIT. */
function transactionOf(sent: Sent[]): string[] {
  const begin = sent.findIndex((s) => /^\s*(START TRANSACTION|BEGIN)/i.test(s.text));
  expect(begin).toBeGreaterThanOrEqual(0);
  const client = sent[begin].client;
  const mine = sent.slice(begin).filter((s) => s.client === client).map((s) => s.text.replace(/\s+/g, ' ').trim());
  const commit = mine.findIndex((text) => /^COMMIT/i.test(text));
  expect(commit).toBeGreaterThan(0);
  return mine.slice(0, commit + 1);
}

it('a batch of ratings of several shoes costs 3 round trips: BEGIN with its locks and the load, append with projection and read-back, COMMIT', async () => {
  // given 5 shoes, each rated once before (so the batch moves ratings and adds new ones)
  const admin = await token(server.settings.jwtSecret, 'round-trips-admin', ['admin']);
  const shoes = await Promise.all(
    Array.from({ length: 5 }, async (_, i) => (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Round trips ${i} ${randomUUID()}` } }, admin)).createShoe.id),
  );
  const pipeline = server.app.get(ShoeWritePipeline);
  const rating = (shoeId: string, userId: string, size: number) =>
    planShoeWrite({ type: 'SubmitTrueToSize', data: { shoeId, userId, size }, metadata: { now: new Date(), userId } }, null);
  await pipeline.run(shoes.map((shoeId) => rating(shoeId, 'round-trips-user', 2)));

  // when one batch rates all of them again (a changed rating for one user, a first one for another)
  const plans = shoes.map((shoeId, i) => rating(shoeId, i % 2 ? 'round-trips-user' : 'round-trips-other', 4));
  const { result, sent } = await recordQueries(() => pipeline.run(plans));

  // then every command answered with its own write, in one transaction of 3 round trips
  expect(result.map((o) => ('shoe' in o ? o.shoe.version : o.error))).toEqual(Array(5).fill(3));
  const trips = transactionOf(sent);
  expect({ count: trips.length, trips }).toMatchObject({ count: 3 });
  // and the append went as a named statement, which PostgreSQL plans once per connection (prepared-statements.ts)
  expect(sent.find((s) => s.text.includes('es_wanted'))?.name).toMatch(/^tts_/);
});

it('a user id with quotes and backslashes is loaded as it is by the load written into BEGIN\'s message', async () => {
  // given a shoe rated 2 by a user whose id needs quoting
  const admin = await token(server.settings.jwtSecret, 'round-trips-admin', ['admin']);
  const shoeId = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Quoted ${randomUUID()}` } }, admin)).createShoe.id;
  const pipeline = server.app.get(ShoeWritePipeline);
  const userId = `o'brien \\' \\\\ "x"; SELECT 1; --`;
  const rate = (size: number) => pipeline.runOne(planShoeWrite({ type: 'SubmitTrueToSize', data: { shoeId, userId, size }, metadata: { now: new Date(), userId } }, null));
  await rate(2);

  // when the same user changes the rating to 4
  const shoe = await rate(4);

  // then the load found the rating of 2 and moved it: one rating of 4, not two ratings
  expect(shoe).toMatchObject({ version: 3, ratingCount: 1, ratingSum: 4, size2: 0, size4: 1 });
});

describe('commands with an idempotency key', () => {
  const userId = 'round-trips-keyed';
  const now = () => new Date();
  const create = (shoeId: string, name: string, key: string) =>
    planShoeWrite({ type: 'CreateShoe', data: { shoeId, name, brand: 'Keyed' }, metadata: { now: now(), userId } }, key);
  const importing = (shoeId: string, sizes: number[], key: string) =>
    planShoeWrite({ type: 'ImportTrueToSizes', data: { shoeId, sizes }, metadata: { now: now(), userId } }, key);

  it('an import costs 3 round trips: the key is locked and looked up in BEGIN\'s message and remembered in the append\'s statement', async () => {
    const pipeline = server.app.get(ShoeWritePipeline);
    const shoeId = randomUUID();
    await pipeline.runOne(create(shoeId, `Keyed import ${shoeId}`, `create-${shoeId}`));

    const { result, sent } = await recordQueries(() => pipeline.runOne(importing(shoeId, [2, 3], `import-${shoeId}`)));

    expect(result).toMatchObject({ id: shoeId, version: 2, ratingCount: 2 });
    const trips = transactionOf(sent);
    expect({ count: trips.length, trips }).toMatchObject({ count: 3 });
    // and the key was remembered: a retry replays (no new event), other sizes under the same key conflict
    await expect(pipeline.runOne(importing(shoeId, [2, 3], `import-${shoeId}`))).resolves.toMatchObject({ version: 2 });
    await expect(pipeline.runOne(importing(shoeId, [4], `import-${shoeId}`))).rejects.toMatchObject({ name: 'IdempotencyKeyConflict' });
  });

  it('a creation costs 7: RT1 with the key, the name\'s lock and lookup, the append with the key, the shoe\'s insert and read-back, COMMIT', async () => {
    const pipeline = server.app.get(ShoeWritePipeline);
    const shoeId = randomUUID();
    const { result, sent } = await recordQueries(() => pipeline.runOne(create(shoeId, `Keyed create ${shoeId}`, `create-${shoeId}`)));

    expect(result).toMatchObject({ id: shoeId, version: 1 });
    const trips = transactionOf(sent);
    expect({ count: trips.length, trips }).toMatchObject({ count: 7 });
    // and a retry (a new shoe id, as the API makes one per request) answers with the shoe the key made
    const replay = await recordQueries(() => pipeline.runOne(create(randomUUID(), `Keyed create ${shoeId}`, `create-${shoeId}`)));
    expect(replay.result).toMatchObject({ id: shoeId, version: 1 });
  });
});
