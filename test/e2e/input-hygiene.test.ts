import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppLogger } from '../../src/logging/app-logger.service';
import {
  CreateShoeDocument,
  EventsDocument,
  ImportTrueToSizesDocument,
  RenameShoeDocument,
  ShoeDocument,
  ShoeEventsDocument,
  ShoesDocument,
  SubmitTrueToSizeDocument,
} from '../generated/graphql';
import { collect, gql, gqlOk, token, wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Issue 9, item 4: hostile text on every public input path (cursors, search, ids, the token's claims,
 * idempotency keys, names) is refused with BAD_USER_INPUT / UNAUTHENTICATED before any SQL, appends nothing,
 * logs no error (a stack trace per request is a log-flooding vector) and is never echoed back unbounded.
 */
let server: TestServer;
let admin: string;
let alice: string;

/** Every error-level log line of the server (AppLogger is the only logger; observed, not replaced). */
let errorLines: unknown[][];

beforeAll(async () => {
  server = await startTestServer();
  [admin, alice] = await Promise.all([token(server.settings.jwtSecret, 'admin-1', ['admin']), token(server.settings.jwtSecret, 'alice')]);
});
afterAll(() => server?.close());

beforeEach(() => {
  errorLines = [];
  for (const level of ['error', 'fatal'] as const) {
    const original = AppLogger.prototype[level];
    jest.spyOn(AppLogger.prototype, level).mockImplementation(function (this: AppLogger, ...args: unknown[]) {
      errorLines.push(args);
      return original.apply(this, args as Parameters<typeof original>);
    });
  }
});
afterEach(() => {
  jest.restoreAllMocks();
  // Rejected input is the client's mistake: nothing at error level, so no stack trace per hostile request.
  expect(errorLines).toEqual([]);
});

const url = () => server.httpUrl;
const NUL = '\u0000';
const LONE_SURROGATE = '\ud800';
/** Every event in the store, committed: "appends nothing" must not depend on the log's horizon. */
const allEvents = async (): Promise<number> => (await server.app.get(DataSource).query(`SELECT count(*)::int AS n FROM events`))[0].n;
const create = async (name: string, brand?: string | null) => (await gqlOk(url(), CreateShoeDocument, { input: { name, brand } }, admin)).createShoe;
const forgedShoeCursor = (...parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

/** The single error of a refused operation: its code, and a message that never quotes a long input. */
async function refusal(res: Promise<{ errors?: { message: string; extensions?: Record<string, unknown> }[]; data?: unknown }>) {
  const { errors } = await res;
  expect(errors).toHaveLength(1);
  const [error] = errors!;
  expect(error.message.length).toBeLessThanOrEqual(500);
  return String(error.extensions?.code);
}

describe('shoes(after:) refuses forged cursors before any SQL', () => {
  const id = randomUUID();
  it.each([
    ['an id that is no UUID', forgedShoeCursor('NAME_ASC', 'Air Max', 'not-a-uuid'), 'NAME_ASC'],
    ['a NUL in the name', forgedShoeCursor('NAME_ASC', `Air${NUL}Max`, id), 'NAME_ASC'],
    ['a lone surrogate in the name', forgedShoeCursor('NAME_ASC', `Air${LONE_SURROGATE}Max`, id), 'NAME_ASC'],
    ['a 50,000-character name', forgedShoeCursor('NAME_ASC', 'a'.repeat(50_000), id), 'NAME_ASC'],
    ['a date PostgreSQL cannot read', forgedShoeCursor('CREATED_AT_DESC', '1', id), 'CREATED_AT_DESC'],
    ['a year out of range', forgedShoeCursor('CREATED_AT_DESC', '+275760-09-13T00:00:00.000Z', id), 'CREATED_AT_DESC'],
    ['a count beyond int', forgedShoeCursor('MOST_RATED', 1e300, 'x', id), 'MOST_RATED'],
    ['a fractional count', forgedShoeCursor('MOST_RATED', 1.5, 'x', id), 'MOST_RATED'],
    ['a negative count', forgedShoeCursor('MOST_RATED', -1, 'x', id), 'MOST_RATED'],
    ['a 90,000-character cursor', 'A'.repeat(90_000), 'NAME_ASC'],
  ] as const)('%s: BAD_USER_INPUT', async (_case, after, orderBy) => {
    expect(await refusal(gql(url(), ShoesDocument, { after, orderBy }))).toBe('BAD_USER_INPUT');
  });

  it('still pages with the cursors it gave out, in every order', async () => {
    const brand = `Cursor${Date.now()}`;
    for (const name of ['Ä one', 'b two', 'c three']) await create(name, brand);
    for (const orderBy of ['NAME_ASC', 'CREATED_AT_DESC', 'MOST_RATED'] as const) {
      const first = (await gqlOk(url(), ShoesDocument, { search: brand, first: 2, orderBy })).shoes;
      const rest = (await gqlOk(url(), ShoesDocument, { search: brand, first: 2, orderBy, after: first.pageInfo.endCursor })).shoes;
      expect([...first.edges, ...rest.edges].map((e) => e.node.name).sort()).toEqual(['b two', 'c three', 'Ä one']);
    }
  });
});

describe('search', () => {
  it.each([
    ['a NUL', `Air${NUL}`],
    ['a lone surrogate', `Air${LONE_SURROGATE}`],
    ['90,000 characters', 'a'.repeat(90_000)],
  ])('with %s: BAD_USER_INPUT', async (_case, search) => {
    expect(await refusal(gql(url(), ShoesDocument, { search }))).toBe('BAD_USER_INPUT');
  });

  it('finds a name whatever the Unicode form of the search text', async () => {
    const brand = `Search${Date.now()}`;
    await create('Café Racer', brand);
    const decomposed = (await gqlOk(url(), ShoesDocument, { search: 'Cafe\u0301 Rac', first: 100 })).shoes;
    expect(decomposed.edges.map((e) => e.node.brand)).toContain(brand);
  });
});

describe('event cursors', () => {
  it.each([
    ['a NUL', `MTox${NUL}`],
    ['a lone surrogate', `MTox${LONE_SURROGATE}`],
    ['90,000 characters', 'A'.repeat(90_000)],
  ])('events(after:) with %s: BAD_USER_INPUT, not echoed back whole', async (_case, after) => {
    expect(await refusal(gql(url(), EventsDocument, { after }))).toBe('BAD_USER_INPUT');
  });
});

describe('event cursors over WebSocket', () => {
  it('shoeEvents(after:) with 50,000 characters: BAD_USER_INPUT, not echoed back whole', async () => {
    const client = wsClient(server.wsUrl);
    try {
      const sub = collect(client, ShoeEventsDocument, { after: 'A'.repeat(50_000) });
      const [result] = await sub.waitFor(1);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors![0].message.length).toBeLessThanOrEqual(500);
    } finally {
      await client.dispose();
    }
  });
});

describe("GraphQL's own input errors", () => {
  it('a 90,000-character value for an Int or an enum variable: BAD_USER_INPUT, not echoed back whole', async () => {
    const huge = 'a'.repeat(90_000);
    expect(await refusal(gql(url(), ShoesDocument, { first: huge as unknown as number }))).toBe('BAD_USER_INPUT');
    expect(await refusal(gql(url(), ShoesDocument, { orderBy: huge as 'NAME_ASC' }))).toBe('BAD_USER_INPUT');
  });
});

describe('ids', () => {
  it.each([
    ['a NUL', `${randomUUID()}${NUL}`],
    ['a lone surrogate', `${randomUUID()}${LONE_SURROGATE}`],
    ['90,000 characters', 'a'.repeat(90_000)],
  ])('with %s: BAD_USER_INPUT on reads and writes', async (_case, id) => {
    expect(await refusal(gql(url(), ShoeDocument, { id }))).toBe('BAD_USER_INPUT');
    expect(await refusal(gql(url(), EventsDocument, { shoeId: id }))).toBe('BAD_USER_INPUT');
    expect(await refusal(gql(url(), SubmitTrueToSizeDocument, { input: { shoeId: id, size: 3 } }, { token: alice }))).toBe('BAD_USER_INPUT');
  });
});

describe("the token's claims", () => {
  it.each([
    ['a NUL in sub', { sub: `alice${NUL}` }],
    ['a lone surrogate in sub', { sub: `alice${LONE_SURROGATE}` }],
    ['a line break in sub', { sub: 'alice\nadmin' }],
    ['a 10,000-character sub', { sub: 'a'.repeat(10_000) }],
    ['a NUL in a role', { sub: 'mallory', roles: [`admin${NUL}`] }],
    ['a 10,000-character role', { sub: 'mallory', roles: ['r'.repeat(10_000)] }],
  ] as [string, { sub: string; roles?: string[] }][])('with %s: UNAUTHENTICATED, appending nothing', async (_case, claims) => {
    const { id } = await create(`Claims ${randomUUID()}`, 'Token');
    const before = await allEvents();
    const forged = await token(server.settings.jwtSecret, claims.sub, claims.roles ?? []);
    const code = await refusal(gql(url(), SubmitTrueToSizeDocument, { input: { shoeId: id, size: 3 } }, { token: forged }));
    expect(code).toBe('UNAUTHENTICATED');
    expect(await allEvents()).toBe(before);
  });
});

describe('idempotency keys', () => {
  it.each([
    ['a NUL', `key${NUL}`],
    ['a lone surrogate', `key${LONE_SURROGATE}`],
    ['201 characters', 'k'.repeat(201)],
    ['90,000 characters', 'k'.repeat(90_000)],
  ])('with %s: BAD_USER_INPUT on both keyed mutations, appending nothing', async (_case, idempotencyKey) => {
    const { id } = await create(`Keyed ${randomUUID()}`, 'Keys');
    const before = await allEvents();
    const created = gql(url(), CreateShoeDocument, { input: { name: `Keyed ${randomUUID()}`, idempotencyKey } }, { token: admin });
    expect(await refusal(created)).toBe('BAD_USER_INPUT');
    const imported = gql(url(), ImportTrueToSizesDocument, { input: { shoeId: id, sizes: [3], idempotencyKey } }, { token: admin });
    expect(await refusal(imported)).toBe('BAD_USER_INPUT');
    expect(await allEvents()).toBe(before);
  });

  it('accepts 200 characters, replays with them, and a reuse with other input is CONFLICT with a short message', async () => {
    const idempotencyKey = `${randomUUID()}`.padEnd(200, 'k');
    const first = (await gqlOk(url(), CreateShoeDocument, { input: { name: 'Keyed 200', idempotencyKey } }, admin)).createShoe;
    const again = (await gqlOk(url(), CreateShoeDocument, { input: { name: 'Keyed 200', idempotencyKey } }, admin)).createShoe;
    expect(again.id).toBe(first.id);
    const before = await allEvents();
    const reused = await gql(url(), CreateShoeDocument, { input: { name: 'Keyed 201', idempotencyKey } }, { token: admin });
    expect(reused.errors?.map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
    expect(reused.errors![0].message.length).toBeLessThan(120);
    expect(await allEvents()).toBe(before);
  });
});

describe('names and brands', () => {
  it.each([
    ['a NUL in the name', { name: `Air${NUL}Max` }],
    ['a lone surrogate in the name', { name: `Air${LONE_SURROGATE}Max` }],
    ['a 90,000-character name', { name: 'n'.repeat(90_000) }],
    ['only invisible characters', { name: '\u200b\u200d\ufeff' }],
    ['a NUL in the brand', { name: 'Air Max', brand: `Ni${NUL}ke` }],
    ['a 90,000-character brand', { name: 'Air Max', brand: 'b'.repeat(90_000) }],
  ])('%s: BAD_USER_INPUT, appending nothing', async (_case, input) => {
    const before = await allEvents();
    expect(await refusal(gql(url(), CreateShoeDocument, { input }, { token: admin }))).toBe('BAD_USER_INPUT');
    expect(await allEvents()).toBe(before);
  });

  it('stores names and brands in NFC without invisible characters', async () => {
    const shoe = await create('Cafe\u0301 \u200bRacer\u00ad', '\u202eMu\u0308ller\u202c');
    expect(shoe).toMatchObject({ name: 'Café Racer', brand: 'Müller' });
  });

  it.each([
    ['a decomposed é', 'Pelé 10', 'Pele\u0301 10'],
    ['a zero-width space', 'AirMax 97', 'Air\u200bMax 97'],
    ['a zero-width joiner and a BOM', 'Foamposite', '\ufeffFoam\u200dposite'],
    ['a soft hyphen', 'Superstar', 'Super\u00adstar'],
    ['a right-to-left override', 'Gazelle', 'Gaz\u202eelle\u202c'],
  ])('a look-alike duplicate (%s) is CONFLICT on create and rename, appending nothing', async (_case, name, lookAlike) => {
    const brand = `LookAlike${randomUUID()}`;
    await create(name, brand);
    const other = await create('Something else', brand);
    const before = await allEvents();
    expect(await refusal(gql(url(), CreateShoeDocument, { input: { name: lookAlike, brand } }, { token: admin }))).toBe('CONFLICT');
    expect(await refusal(gql(url(), RenameShoeDocument, { input: { id: other.id, name: lookAlike } }, { token: admin }))).toBe('CONFLICT');
    expect(await allEvents()).toBe(before);
  });

  it('a look-alike brand is the same brand', async () => {
    const name = `Brand twin ${randomUUID()}`;
    await create(name, 'Salomón');
    expect(await refusal(gql(url(), CreateShoeDocument, { input: { name, brand: 'Salomo\u0301n\u200b' } }, { token: admin }))).toBe('CONFLICT');
  });

  it('renaming a shoe to a look-alike of its own name changes nothing', async () => {
    const shoe = await create('Crème Brûlée', `Dessert${randomUUID()}`);
    const renamed = (await gqlOk(url(), RenameShoeDocument, { input: { id: shoe.id, name: 'Cre\u0300me\u200b Bru\u0302le\u0301e' } }, admin)).renameShoe;
    expect(renamed.version).toBe(shoe.version);
  });
});
