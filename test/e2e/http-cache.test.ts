import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { CreateShoeDocument, ShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gql, GraphQLResponse, gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * HTTP caching of GET /graphql over a real server: ETag and 304, Cache-Control for a CDN, automatic persisted
 * queries by hash, and what must never be cached (errors, mutations, a caller's answers in a shared cache).
 */
let server: TestServer;
let admin: string;
let shopper: string;
let shoeId: string;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' });
  admin = await token(server.settings.jwtSecret, 'cache-admin', ['admin']);
  shopper = await token(server.settings.jwtSecret, 'cache-shopper');
  shoeId = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Cached Runner', brand: 'Etag' } }, admin)).createShoe.id;
});
afterAll(() => server?.close());

const SHOE = 'query Shoe($id: ID!) { shoe(id: $id) { id version trueToSize { average count } } }';
/** Apollo's CSRF prevention refuses a GET without a header no browser form can send: clients add this one. */
const PREFLIGHT = { 'apollo-require-preflight': 'true' };

/** A GET /graphql with the operation in the query string, as a CDN would see and key it. */
function getUrl(params: { query?: string; variables?: unknown; extensions?: unknown }): string {
  const search = new URLSearchParams();
  if (params.query !== undefined) search.set('query', params.query);
  if (params.variables !== undefined) search.set('variables', JSON.stringify(params.variables));
  if (params.extensions !== undefined) search.set('extensions', JSON.stringify(params.extensions));
  return `${server.httpUrl}?${search}`;
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { ...PREFLIGHT, ...headers } });
/** Our tags are strong; Express adds a weak tag of its own to any body it sends, which says nothing about caching. */
const strongTag = (res: Response) => (res.headers.get('etag')?.startsWith('"') ? res.headers.get('etag') : null);
const codes = async (res: Response) => ((await res.json()) as GraphQLResponse<unknown>).errors?.map((e) => e.extensions?.code);
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } });

/** The raw bytes of one answer over a fresh socket (Connection: close), so a body sent with a 304 would show. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ head: string; body: string }> {
  const { hostname, port, pathname, search, host } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, split), body: text.slice(split + 4) });
    });
    const lines = Object.entries({ host, connection: 'close', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`GET ${pathname}${search} HTTP/1.1\r\n${lines.join('')}\r\n`);
  });
}

/**
 * The status of a conditional GET, sent as a browser's reload sends it (`Cache-Control: no-cache`, which fetch also
 * adds to a request with its own If-None-Match): Express's own freshness check then stays out of it, so only the
 * plugin can answer 304, as on any other platform.
 */
async function revalidate(url: string, etag: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await get(url, { ...headers, 'if-none-match': etag, 'cache-control': 'no-cache' });
  await res.arrayBuffer();
  return res.status;
}

describe('a GET query', () => {
  it('answers 200 with a strong ETag, a CDN-friendly Cache-Control and Vary', async () => {
    const res = await get(getUrl({ query: SHOE, variables: { id: shoeId } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { shoe: { id: shoeId, version: 1, trueToSize: { average: null, count: 0 } } } });
    expect(strongTag(res)).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=1, stale-while-revalidate=2');
    expect(res.headers.get('vary')).toBe('Accept, Authorization');
  });

  it('answers 304 with no body when If-None-Match holds the current tag, over a real socket', async () => {
    const url = getUrl({ query: SHOE, variables: { id: shoeId } });
    const etag = strongTag(await get(url))!;
    const again = await rawGet(url, { ...PREFLIGHT, 'if-none-match': etag, 'cache-control': 'no-cache' });
    expect(again.head).toMatch(/^HTTP\/1\.1 304 /);
    expect(again.head).toMatch(new RegExp(`\r\netag: ${etag}\r\n`, 'i'));
    expect(again.head).toMatch(/\r\ncache-control: public, max-age=0, s-maxage=1/i);
    expect(again.body).toBe('');
    // A CDN that weakened the tag gets the same 304.
    expect(await revalidate(url, `W/${etag}`)).toBe(304);
  });

  it('answers 200 with a new tag once a rating changed the shoe', async () => {
    const url = getUrl({ query: SHOE, variables: { id: shoeId } });
    const before = strongTag(await get(url))!;
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId, size: 4 } }, shopper);
    expect(await revalidate(url, before)).toBe(200);
    const after = await get(url);
    expect(((await after.json()) as { data: { shoe: unknown } }).data.shoe).toMatchObject({ trueToSize: { average: 4, count: 1 } });
    expect(strongTag(after)).not.toBe(before);
    expect(await revalidate(url, strongTag(after)!)).toBe(304);
  });

  it('read with an Authorization header is private to that caller, never public', async () => {
    const url = getUrl({ query: SHOE, variables: { id: shoeId } });
    const res = await get(url, { authorization: `Bearer ${shopper}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    // Still revalidates cheaply in the caller's own cache.
    expect(await revalidate(url, strongTag(res)!, { authorization: `Bearer ${shopper}` })).toBe(304);
  });

  it('that fails is never stored and carries no tag of ours', async () => {
    const res = await get(getUrl({ query: SHOE, variables: { id: 'not-a-uuid' } }));
    expect(await codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(strongTag(res)).toBeNull();
  });

  it('is refused without a CSRF preflight header, so no browser form or <img> can send it', async () => {
    const res = await fetch(getUrl({ query: SHOE, variables: { id: shoeId } }));
    expect(res.status).toBe(400);
    expect(strongTag(res)).toBeNull();
  });
});

describe('a mutation over GET', () => {
  it('is refused with 405, appends nothing and is never stored', async () => {
    const mutation = 'mutation { submitTrueToSize(input: { shoeId: "%ID%", size: 1 }) { version } }'.replace('%ID%', shoeId);
    const { version } = (await gqlOk(server.httpUrl, ShoeDocument, { id: shoeId })).shoe!;
    const res = await get(getUrl({ query: mutation }), { authorization: `Bearer ${shopper}` });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(strongTag(res)).toBeNull();
    expect((await gqlOk(server.httpUrl, ShoeDocument, { id: shoeId })).shoe!.version).toBe(version);
  });
});

describe('POST', () => {
  it('answers are never stored', async () => {
    const res = await gql(server.httpUrl, ShoeDocument, { id: shoeId });
    expect(res.data?.shoe?.id).toBe(shoeId);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(strongTag({ headers: res.headers } as Response)).toBeNull();
  });
});

describe('an automatic persisted query over GET', () => {
  it('is PERSISTED_QUERY_NOT_FOUND until a POST registers it, then answers by hash with an ETag', async () => {
    const query = `query PersistedShoe($id: ID!) { shoe(id: $id) { id name } }`;
    const byHash = getUrl({ extensions: persisted(query), variables: { id: shoeId } });

    const unknown = await get(byHash);
    expect(await codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    expect(strongTag(unknown)).toBeNull();

    const registered = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { id: shoeId }, extensions: persisted(query) }),
    });
    expect(await registered.json()).toEqual({ data: { shoe: { id: shoeId, name: 'Cached Runner' } } });

    const known = await get(byHash);
    expect(known.status).toBe(200);
    expect(await known.json()).toEqual({ data: { shoe: { id: shoeId, name: 'Cached Runner' } } });
    expect(known.headers.get('cache-control')).toMatch(/^public,/);
    // The same answer by text or by hash is the same representation.
    expect(strongTag(known)).toBe(strongTag(await get(getUrl({ query, variables: { id: shoeId } }))));
    expect(await revalidate(byHash, strongTag(known)!)).toBe(304);
  });
});

describe('GET /graphql in a browser', () => {
  it('is still GraphiQL, with or without an operation in the address', async () => {
    const accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'; // Chromium's navigation Accept
    for (const url of [server.httpUrl, getUrl({ query: SHOE, variables: { id: shoeId } })]) {
      const res = await fetch(url, { headers: { accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toMatch(/GraphiQL\.createFetcher/);
    }
  });
});
