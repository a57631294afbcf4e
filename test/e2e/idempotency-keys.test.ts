import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CreateShoeDocument, ImportTrueToSizesDocument } from '../generated/graphql';
import { gql, gqlCodes, gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Idempotency keys under contention, over the API: the guarantees the write pipeline keeps now that a key's lock and
 * lookup ride in BEGIN's message (its text written into the statement) and its insert in the append's statement
 * (src/shoes/write/shoe-write-pipeline.ts; the round trips are counted in write-round-trips.test.ts).
 */
let server: TestServer;
let admin: string;
let db: pg.Client;
beforeAll(async () => {
  server = await startTestServer();
  admin = await token(server.settings.jwtSecret, 'idempotency-admin', ['admin']);
  db = new pg.Client({ connectionString: server.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.close();
});

async function storedKeys(key: string): Promise<{ mutation: string; shoe_id: string }[]> {
  const { rows } = await db.query(`SELECT mutation, shoe_id::text FROM idempotency_keys WHERE key = $1 ORDER BY mutation`, [key]);
  return rows;
}

it('concurrent retries of one createShoe with one key create one shoe, and every retry answers with it', async () => {
  const input = { name: `Retried ${randomUUID()}`, brand: 'Idem', idempotencyKey: `retry-${randomUUID()}` };
  const answers = await Promise.all(Array.from({ length: 8 }, () => gqlOk(server.httpUrl, CreateShoeDocument, { input }, admin)));
  const ids = new Set(answers.map((a) => a.createShoe.id));
  expect(ids.size).toBe(1);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM shoes WHERE name = $1`, [input.name]);
  expect(rows[0].n).toBe(1);
  expect(await storedKeys(input.idempotencyKey)).toEqual([{ mutation: 'createShoe', shoe_id: [...ids][0] }]);
});

it('concurrent createShoes with one key and other input: one shoe, every other answer CONFLICT', async () => {
  const key = `contended-${randomUUID()}`;
  const names = Array.from({ length: 6 }, (_, i) => `Contended ${i} ${randomUUID()}`);
  const answers = await Promise.all(names.map((name) => gql(server.httpUrl, CreateShoeDocument, { input: { name, idempotencyKey: key } }, { token: admin })));
  const created = answers.filter((a) => a.data?.createShoe);
  const codes = answers.flatMap((a) => a.errors?.map((e) => e.extensions?.code) ?? []);
  expect(created).toHaveLength(1);
  expect(codes).toEqual(Array(5).fill('CONFLICT'));
  expect(await storedKeys(key)).toEqual([{ mutation: 'createShoe', shoe_id: created[0].data!.createShoe.id }]);
});

it('a rejected command stores no key: the same key then serves another request', async () => {
  const key = `rejected-${randomUUID()}`;
  // an import into a shoe that does not exist, and a creation whose name is taken, each rejected
  expect(await gqlCodes(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: randomUUID(), sizes: [3], idempotencyKey: key } }, admin)).toEqual(['NOT_FOUND']);
  const taken = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Taken ${randomUUID()}` } }, admin)).createShoe;
  expect(await gqlCodes(server.httpUrl, CreateShoeDocument, { input: { name: taken.name, idempotencyKey: key } }, admin)).toEqual(['CONFLICT']);
  expect(await storedKeys(key)).toEqual([]);

  // then the key, never stored, is free for other input of both mutations
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Free ${randomUUID()}`, idempotencyKey: key } }, admin)).createShoe;
  const imported = await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: shoe.id, sizes: [3], idempotencyKey: key } }, admin);
  expect(imported.importTrueToSizes.trueToSize.count).toBe(1);
  expect(await storedKeys(key)).toEqual([
    { mutation: 'createShoe', shoe_id: shoe.id },
    { mutation: 'importTrueToSizes', shoe_id: shoe.id },
  ]);
});

it('a key with quotes, backslashes and SQL in it is stored and matched as it is', async () => {
  const key = `k'ey \\' \\\\ "x"; SELECT pg_sleep(10); -- ${randomUUID()}`;
  const input = { name: `Quoted key ${randomUUID()}`, idempotencyKey: key };
  const first = (await gqlOk(server.httpUrl, CreateShoeDocument, { input }, admin)).createShoe;
  const retried = (await gqlOk(server.httpUrl, CreateShoeDocument, { input }, admin)).createShoe;
  expect(retried.id).toBe(first.id);
  expect(await storedKeys(key)).toEqual([{ mutation: 'createShoe', shoe_id: first.id }]);
  expect(await gqlCodes(server.httpUrl, CreateShoeDocument, { input: { ...input, name: `Other ${randomUUID()}` } }, admin)).toEqual(['CONFLICT']);
});
