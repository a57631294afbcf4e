import { randomUUID } from 'node:crypto';
import {
  CreateShoeDocument,
  EventsDocument,
  ImportTrueToSizesDocument,
  RenameShoeDocument,
  RetractTrueToSizeDocument,
  ShoeDocument,
  ShoesDocument,
  SubmitTrueToSizeDocument,
} from '../generated/graphql';
import { DataSource } from 'typeorm';
import { gql, gqlCodes, gqlOk, logOf, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/** API.md's rules and error table, over real HTTP against a real server and a real PostgreSQL. */
let server: TestServer;
let admin: string;
let alice: string;
let bob: string;

beforeAll(async () => {
  server = await startTestServer();
  const secret = server.settings.jwtSecret;
  [admin, alice, bob] = await Promise.all([token(secret, 'admin-1', ['admin']), token(secret, 'alice'), token(secret, 'bob')]);
});
afterAll(() => server?.close());

const url = () => server.httpUrl;
const create = async (name: string, brand?: string | null) =>
  (await gqlOk(url(), CreateShoeDocument, { input: { name, brand } }, admin)).createShoe;
const submit = (shoeId: string, size: number, as = alice) => gqlOk(url(), SubmitTrueToSizeDocument, { input: { shoeId, size } }, as);
/** Committed events of a stream, straight from the store: "appends nothing" must not depend on the log's horizon. */
const eventCount = async (shoeId: string): Promise<number> =>
  (await server.app.get(DataSource).query(`SELECT count(*)::int AS n FROM events WHERE stream_id = $1`, [shoeId]))[0].n;

describe('TrueToSize calculation', () => {
  it('gives the StockX example 2.5714285714285716 over 14 ratings', async () => {
    const shoe = await create('Yeezy Boost 350 V2 Zebra', 'adidas');
    const sizes = [1, 2, 2, 3, 2, 3, 2, 2, 3, 4, 2, 5, 2, 3];
    const imported = await gqlOk(url(), ImportTrueToSizesDocument, { input: { shoeId: shoe.id, sizes } }, admin);
    expect(imported.importTrueToSizes.trueToSize).toEqual({
      average: 2.5714285714285716,
      count: 14,
      distribution: [1, 7, 4, 1, 1].map((count, i) => ({ size: i + 1, count })),
    });
    const read = await gqlOk(url(), ShoeDocument, { id: shoe.id });
    expect(read.shoe?.trueToSize.average).toBe(2.5714285714285716);
  });

  it('starts with no average, a zero count and five empty buckets', async () => {
    const shoe = await create('Air Max 1', 'Nike');
    expect(shoe.version).toBe(1);
    expect(shoe.trueToSize).toEqual({ average: null, count: 0, distribution: [1, 2, 3, 4, 5].map((size) => ({ size, count: 0 })) });
  });
});

describe('one current rating per user', () => {
  it('replaces a resubmitted rating, ignores the same value, and retracts', async () => {
    const { id } = await create('Gel-Lyte III', 'ASICS');
    await submit(id, 2, alice);
    await submit(id, 4, bob);
    const replaced = (await submit(id, 5, alice)).submitTrueToSize;
    expect(replaced.trueToSize).toMatchObject({ count: 2, average: 4.5 });
    expect(replaced.trueToSize.distribution.map((b) => b.count)).toEqual([0, 0, 0, 1, 1]);
    const before = await eventCount(id);
    const same = (await submit(id, 5, alice)).submitTrueToSize;
    expect(same.version).toBe(replaced.version);
    expect(await eventCount(id)).toBe(before);

    const retracted = (await gqlOk(url(), RetractTrueToSizeDocument, { input: { shoeId: id } }, alice)).retractTrueToSize;
    expect(retracted.trueToSize).toMatchObject({ count: 1, average: 4 });
    const again = (await gqlOk(url(), RetractTrueToSizeDocument, { input: { shoeId: id } }, alice)).retractTrueToSize;
    expect(again.version).toBe(retracted.version);
    expect(await eventCount(id)).toBe(before + 1);
  });

  it('records previousSize on a replacement and the retracted size on a retraction', async () => {
    const { id } = await create('Club C 85', 'Reebok');
    await submit(id, 3);
    await submit(id, 1);
    await gqlOk(url(), RetractTrueToSizeDocument, { input: { shoeId: id } }, alice);
    const nodes = (await logOf(url(), id, 4)).map((e) => e.node);
    expect(nodes.map((n) => n.__typename)).toEqual(['ShoeCreated', 'TrueToSizeSubmitted', 'TrueToSizeSubmitted', 'TrueToSizeRetracted']);
    expect(nodes[1]).toMatchObject({ size: 3, previousSize: null, version: 2 });
    expect(nodes[2]).toMatchObject({ size: 1, previousSize: 3, version: 3 });
    expect(nodes[3]).toMatchObject({ retractedSize: 1, version: 4 });
  });

  it('counts imported ratings but never lets a user retract them', async () => {
    const { id } = await create('Chuck 70', 'Converse');
    await gqlOk(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: [3, 3] } }, admin);
    const after = (await gqlOk(url(), RetractTrueToSizeDocument, { input: { shoeId: id } }, admin)).retractTrueToSize;
    expect(after.trueToSize.count).toBe(2);
  });
});

describe('names and identity', () => {
  it('trims names, stores an empty brand as null, and refuses a case-insensitive duplicate', async () => {
    const shoe = await create('  Dunk Low Panda  ', '   ');
    expect(shoe).toMatchObject({ name: 'Dunk Low Panda', brand: null });
    expect(await gqlCodes(url(), CreateShoeDocument, { input: { name: 'dunk low PANDA' } }, admin)).toEqual(['CONFLICT']);
    const other = await create('Dunk Low Panda', 'Nike');
    expect(other.brand).toBe('Nike');
    expect(await gqlCodes(url(), CreateShoeDocument, { input: { name: ' DUNK LOW PANDA', brand: ' nike ' } }, admin)).toEqual(['CONFLICT']);
  });

  it('renames, ignores a rename to the same name, and refuses a taken name', async () => {
    const a = await create('Old Skool', 'Vans');
    await create('Sk8-Hi', 'Vans');
    const renamed = (await gqlOk(url(), RenameShoeDocument, { input: { id: a.id, name: 'Old Skool Pro' } }, admin)).renameShoe;
    expect(renamed).toMatchObject({ name: 'Old Skool Pro', version: 2 });
    const same = (await gqlOk(url(), RenameShoeDocument, { input: { id: a.id, name: ' Old Skool Pro ' } }, admin)).renameShoe;
    expect(same.version).toBe(2);
    const recased = (await gqlOk(url(), RenameShoeDocument, { input: { id: a.id, name: 'old skool pro' } }, admin)).renameShoe;
    expect(recased).toMatchObject({ name: 'old skool pro', version: 3 });
    expect(await gqlCodes(url(), RenameShoeDocument, { input: { id: a.id, name: 'SK8-HI' } }, admin)).toEqual(['CONFLICT']);
  });

  it('accepts ids in any letter case and returns them in lower case', async () => {
    const { id } = await create('Samba OG', 'adidas');
    const read = await gqlOk(url(), ShoeDocument, { id: id.toUpperCase() });
    expect(read.shoe?.id).toBe(id);
    expect(id).toBe(id.toLowerCase());
    const rated = (await submit(id.toUpperCase(), 3)).submitTrueToSize;
    expect(rated.id).toBe(id);
  });

  it('answers null for an unknown shoe', async () => {
    expect((await gqlOk(url(), ShoeDocument, { id: randomUUID() })).shoe).toBeNull();
  });
});

describe('listing', () => {
  it('pages by name with opaque cursors, searches name or brand case-insensitively, and counts', async () => {
    const brand = `Brand${Date.now()}`;
    for (const name of ['Delta', 'alpha', 'Charlie', 'bravo', 'Echo']) await create(name, brand);
    const page1 = (await gqlOk(url(), ShoesDocument, { search: brand.toLowerCase(), first: 2 })).shoes;
    expect(page1.totalCount).toBe(5);
    expect(page1.edges.map((e) => e.node.name)).toEqual(['alpha', 'bravo']);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await gqlOk(url(), ShoesDocument, { search: brand, first: 2, after: page1.pageInfo.endCursor })).shoes;
    expect(page2.edges.map((e) => e.node.name)).toEqual(['Charlie', 'Delta']);
    const page3 = (await gqlOk(url(), ShoesDocument, { search: brand, first: 2, after: page2.pageInfo.endCursor })).shoes;
    expect(page3.edges.map((e) => e.node.name)).toEqual(['Echo']);
    expect(page3.pageInfo.hasNextPage).toBe(false);
    const byName = (await gqlOk(url(), ShoesDocument, { search: 'CHARL' })).shoes;
    expect(byName.edges.map((e) => e.node.name)).toContain('Charlie');
  });

  it('orders by creation, newest first, and by rating count', async () => {
    const brand = `Order${Date.now()}`;
    const first = await create('First', brand);
    const second = await create('Second', brand);
    const third = await create('Third', brand);
    const newest = (await gqlOk(url(), ShoesDocument, { search: brand, orderBy: 'CREATED_AT_DESC' })).shoes;
    expect(newest.edges.map((e) => e.node.id)).toEqual([third.id, second.id, first.id]);
    await submit(second.id, 3, alice);
    await submit(second.id, 3, bob);
    await submit(first.id, 3, alice);
    const rated = (await gqlOk(url(), ShoesDocument, { search: brand, orderBy: 'MOST_RATED', first: 2 })).shoes;
    expect(rated.edges.map((e) => e.node.name)).toEqual(['Second', 'First']);
    const rest = (await gqlOk(url(), ShoesDocument, { search: brand, orderBy: 'MOST_RATED', after: rated.pageInfo.endCursor })).shoes;
    expect(rest.edges.map((e) => e.node.name)).toEqual(['Third']);
  });

  it('treats LIKE wildcards in a search literally', async () => {
    await create(`100%_real ${Date.now()}`, 'Wild');
    const hits = (await gqlOk(url(), ShoesDocument, { search: '%_' })).shoes;
    expect(hits.edges.every((e) => e.node.name.includes('%_'))).toBe(true);
    expect(hits.totalCount).toBe(1);
  });
});

describe('error codes', () => {
  it('BAD_USER_INPUT for a size outside 1..5, and the failed mutation appends nothing', async () => {
    const { id } = await create('Size Check', 'Test');
    for (const size of [0, 6, -1]) {
      expect(await gqlCodes(url(), SubmitTrueToSizeDocument, { input: { shoeId: id, size } }, alice)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await eventCount(id)).toBe(1);
  });

  it('BAD_USER_INPUT for a non-integer size variable (Apollo coercion)', async () => {
    const { id } = await create('Float Check', 'Test');
    const res = await gql(url(), SubmitTrueToSizeDocument, { input: { shoeId: id, size: 3.5 } }, { token: alice });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('BAD_USER_INPUT for empty and too long names and brands, appending nothing', async () => {
    const before = (await gqlOk(url(), ShoesDocument, { first: 1 })).shoes.totalCount;
    for (const input of [{ name: '' }, { name: '   ' }, { name: 'x'.repeat(201) }, { name: 'ok', brand: 'b'.repeat(101) }]) {
      expect(await gqlCodes(url(), CreateShoeDocument, { input }, admin)).toEqual(['BAD_USER_INPUT']);
    }
    expect((await gqlOk(url(), ShoesDocument, { first: 1 })).shoes.totalCount).toBe(before);
    const longest = await create('n'.repeat(200), 'b'.repeat(100));
    expect(longest.name).toHaveLength(200);
  });

  it('BAD_USER_INPUT for first outside its range', async () => {
    for (const first of [0, 101, -5]) expect(await gqlCodes(url(), ShoesDocument, { first })).toEqual(['BAD_USER_INPUT']);
    for (const first of [0, 1001]) expect(await gqlCodes(url(), EventsDocument, { first })).toEqual(['BAD_USER_INPUT']);
    expect((await gqlOk(url(), EventsDocument, { first: 1000 })).events.edges.length).toBeGreaterThan(0);
    expect((await gqlOk(url(), ShoesDocument, { first: 100 })).shoes.edges.length).toBeGreaterThan(0);
  });

  it('BAD_USER_INPUT for malformed and unknown cursors, and malformed ids', async () => {
    expect(await gqlCodes(url(), ShoesDocument, { after: 'garbage' })).toEqual(['BAD_USER_INPUT']);
    const byName = (await gqlOk(url(), ShoesDocument, { first: 1 })).shoes.pageInfo.endCursor;
    expect(await gqlCodes(url(), ShoesDocument, { after: byName, orderBy: 'MOST_RATED' })).toEqual(['BAD_USER_INPUT']);
    expect(await gqlCodes(url(), EventsDocument, { after: 'garbage' })).toEqual(['BAD_USER_INPUT']);
    expect(await gqlCodes(url(), EventsDocument, { after: Buffer.from('999999:999999').toString('base64url') })).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await gqlCodes(url(), ShoeDocument, { id: 'not-a-uuid' })).toEqual(['BAD_USER_INPUT']);
    expect(await gqlCodes(url(), SubmitTrueToSizeDocument, { input: { shoeId: '123', size: 3 } }, alice)).toEqual(['BAD_USER_INPUT']);
  });

  it('BAD_USER_INPUT for more than 10000 imported sizes or none, appending nothing', async () => {
    const { id } = await create('Import Bounds', 'Test');
    const tooMany = Array.from({ length: 10001 }, () => 3);
    expect(await gqlCodes(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: tooMany } }, admin)).toEqual(['BAD_USER_INPUT']);
    expect(await gqlCodes(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: [] } }, admin)).toEqual(['BAD_USER_INPUT']);
    expect(await gqlCodes(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: [3, 9] } }, admin)).toEqual(['BAD_USER_INPUT']);
    expect(await eventCount(id)).toBe(1);
    const max = await gqlOk(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: tooMany.slice(1) } }, admin);
    expect(max.importTrueToSizes.trueToSize.count).toBe(10000);
  });

  it('NOT_FOUND when the shoe of a mutation does not exist', async () => {
    const shoeId = randomUUID();
    expect(await gqlCodes(url(), SubmitTrueToSizeDocument, { input: { shoeId, size: 3 } }, alice)).toEqual(['NOT_FOUND']);
    expect(await gqlCodes(url(), RetractTrueToSizeDocument, { input: { shoeId } }, alice)).toEqual(['NOT_FOUND']);
    expect(await gqlCodes(url(), RenameShoeDocument, { input: { id: shoeId, name: 'x' } }, admin)).toEqual(['NOT_FOUND']);
    expect(await gqlCodes(url(), ImportTrueToSizesDocument, { input: { shoeId, sizes: [1] } }, admin)).toEqual(['NOT_FOUND']);
    expect(await eventCount(shoeId)).toBe(0);
  });

  it('CONFLICT with currentVersion for a stale expectedVersion, appending nothing', async () => {
    const { id } = await create('Versioned', 'Test');
    await submit(id, 4);
    const res = await gql(url(), RenameShoeDocument, { input: { id, name: 'Versioned 2', expectedVersion: 1 } }, { token: admin });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect(await eventCount(id)).toBe(2);
    const ok = await gqlOk(url(), RenameShoeDocument, { input: { id, name: 'Versioned 2', expectedVersion: 2 } }, admin);
    expect(ok.renameShoe.version).toBe(3);
  });

  it('UNAUTHENTICATED for a missing, malformed, expired or badly signed token', async () => {
    const input = { name: `Auth ${Date.now()}` };
    const expired = await token(server.settings.jwtSecret, 'admin-1', ['admin'], -10);
    const forged = await token('some-other-secret-of-sufficient-length', 'admin-1', ['admin']);
    const noneAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', roles: ['admin'], exp: 9999999999 })).toString('base64url')}.`;
    const attempts: Record<string, string>[] = [{}, { authorization: 'Token abc' }, { authorization: 'Bearer not.a.jwt' }, { authorization: `Bearer ${expired}` }, { authorization: `Bearer ${forged}` }, { authorization: `Bearer ${noneAlg}` }];
    for (const headers of attempts) {
      const res = await gql(url(), CreateShoeDocument, { input }, { headers });
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
    expect((await gqlOk(url(), ShoesDocument, { search: input.name })).shoes.totalCount).toBe(0);
  });

  it('reads need no token, even when a bad one is sent', async () => {
    const res = await gql(url(), ShoesDocument, { first: 1 }, { headers: { authorization: 'Bearer nonsense' } });
    expect(res.errors).toBeUndefined();
  });

  it('FORBIDDEN for a non-admin calling an admin mutation', async () => {
    const { id } = await create('Admin Only', 'Test');
    expect(await gqlCodes(url(), CreateShoeDocument, { input: { name: 'Nope' } }, alice)).toEqual(['FORBIDDEN']);
    expect(await gqlCodes(url(), RenameShoeDocument, { input: { id, name: 'Nope' } }, alice)).toEqual(['FORBIDDEN']);
    expect(await gqlCodes(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: [1] } }, alice)).toEqual(['FORBIDDEN']);
    expect(await eventCount(id)).toBe(1);
  });

  it("keeps Apollo's own request error codes", async () => {
    const parse = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ shoes(' }) });
    expect(((await parse.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ nope }' }) });
    expect(((await invalid.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('idempotency keys', () => {
  it('a retried createShoe with the same key appends nothing and returns the shoe as it stands', async () => {
    const input = { name: `Idem ${Date.now()}`, brand: 'Key', idempotencyKey: 'create-1' };
    const first = (await gqlOk(url(), CreateShoeDocument, { input }, admin)).createShoe;
    await submit(first.id, 5);
    const retried = (await gqlOk(url(), CreateShoeDocument, { input }, admin)).createShoe;
    expect(retried.id).toBe(first.id);
    expect(retried.version).toBe(2);
    expect(await gqlCodes(url(), CreateShoeDocument, { input: { ...input, name: 'Different' } }, admin)).toEqual(['CONFLICT']);
  });

  it('scopes keys to the user and the mutation', async () => {
    const other = await token(server.settings.jwtSecret, 'admin-2', ['admin']);
    const a = (await gqlOk(url(), CreateShoeDocument, { input: { name: `Scoped A ${Date.now()}`, idempotencyKey: 'k' } }, admin)).createShoe;
    const b = (await gqlOk(url(), CreateShoeDocument, { input: { name: `Scoped B ${Date.now()}`, idempotencyKey: 'k' } }, other)).createShoe;
    expect(b.id).not.toBe(a.id);
    const imported = await gqlOk(url(), ImportTrueToSizesDocument, { input: { shoeId: a.id, sizes: [2], idempotencyKey: 'k' } }, admin);
    expect(imported.importTrueToSizes.trueToSize.count).toBe(1);
    const again = await gqlOk(url(), ImportTrueToSizesDocument, { input: { shoeId: a.id, sizes: [2], idempotencyKey: 'k' } }, admin);
    expect(again.importTrueToSizes.trueToSize.count).toBe(1);
  });
});
