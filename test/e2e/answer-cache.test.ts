import { Client as PgClient } from 'pg';
import { CreateShoeDocument, ShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { parsePrometheusText, valueOf } from '../metrics/prometheus-text';
import { gql, gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * The answer cache (src/graphql/answer-cache.ts) and version-derived ETags over a real server: a kept answer is
 * served without executing (shown by a row changed behind the log's back, which an execution would read, and by
 * the metrics), only while the read cache proves its versions current; what is never kept (pages, a caller's
 * answers, a batch's page beside a shoe); a 304 for a kept answer without executing.
 */
let server: TestServer;
let admin: string;
let shopper: string;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' });
  admin = await token(server.settings.jwtSecret, 'answers-admin', ['admin']);
  shopper = await token(server.settings.jwtSecret, 'answers-shopper');
});
afterAll(() => server?.close());

let made = 0;
async function createShoe(): Promise<string> {
  return (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Kept ${++made}`, brand: 'Answers' } }, admin)).createShoe.id;
}

async function answerCacheReads(): Promise<{ hit: number; miss: number }> {
  const metrics = parsePrometheusText(await (await fetch(server.httpUrl.replace(/\/graphql$/, '/metrics'))).text());
  const count = (result: string) => valueOf(metrics, 'tts_answer_cache_reads_total', { result });
  return { hit: count('hit'), miss: count('miss') };
}

/** The answer-cache lookups `action` caused: how many were served from memory, how many executed. */
async function lookups(action: () => Promise<unknown>): Promise<{ hit: number; miss: number }> {
  const before = await answerCacheReads();
  await action();
  const after = await answerCacheReads();
  return { hit: after.hit - before.hit, miss: after.miss - before.miss };
}

/** Changes the read model behind the log's back (restored by `restore`): only an answer from memory still shows the old name. */
async function renameBehindTheLog(id: string): Promise<{ restore(): Promise<void> }> {
  const sql = async (statement: string) => {
    const client = new PgClient({ connectionString: server.db.url });
    await client.connect();
    try {
      await client.query(statement, [id]);
    } finally {
      await client.end();
    }
  };
  await sql(`UPDATE shoes SET name = name || ' *' WHERE id = $1`);
  return { restore: () => sql(`UPDATE shoes SET name = left(name, -2) WHERE id = $1`) };
}

const nameOf = async (id: string, authorization?: string) => (await gql(server.httpUrl, ShoeDocument, { id }, { token: authorization })).data!.shoe!.name;

it('serves a repeated shoe(id) read from memory without executing, and a new version as soon as it is committed', async () => {
  const id = await createShoe();
  expect(await lookups(() => nameOf(id))).toEqual({ hit: 0, miss: 1 }); // executed, and kept
  const changed = await renameBehindTheLog(id);
  try {
    let name = '';
    expect(await lookups(async () => (name = await nameOf(id)))).toEqual({ hit: 1, miss: 0 });
    expect(name).toBe(`Kept ${made}`); // not the row as it now stands: nothing was executed
    // A rating commits version 2: the kept answer is no longer current, so the read executes (and sees the changed row).
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: id, size: 2 } }, shopper);
    const read = await lookups(async () => {
      const { shoe } = (await gqlOk(server.httpUrl, ShoeDocument, { id }))!;
      expect(shoe).toMatchObject({ version: 2, trueToSize: { count: 1 } });
    });
    expect(read.hit).toBe(0);
  } finally {
    await changed.restore();
  }
});

it("never keeps a caller's answer, a page, or a page batched beside a shoe", async () => {
  const id = await createShoe();
  await nameOf(id); // kept for anonymous readers
  const changed = await renameBehindTheLog(id);
  try {
    // With Authorization: executed every time (the caller's own answer never comes from, nor goes to, the cache;
    // its shoe row may still come from the read cache, which knows no callers).
    expect(await lookups(() => nameOf(id, shopper))).toEqual({ hit: 0, miss: 0 });
    // A page reads no single shoe's version: never looked up, never kept.
    const page = 'query { shoes(first: 1, search: "Answers") { totalCount } }';
    const post = (body: unknown) => fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const total = async () => ((await (await post({ query: page })).json()) as { data: { shoes: { totalCount: number } } }).data.shoes.totalCount;
    const before = await total();
    // Batched beside a shoe read (one context object for both operations): the page must not pass for a shoe's answer.
    const batch = [{ query: page }, { query: 'query B($id: ID!) { shoe(id: $id) { version } }', variables: { id } }];
    for (let i = 0; i < 3; i++) await (await post(batch)).json();
    await createShoe();
    const answers = (await (await post(batch)).json()) as [{ data: { shoes: { totalCount: number } } }, unknown];
    expect(answers[0].data.shoes.totalCount).toBe(before + 1);
    expect(await total()).toBe(before + 1);
  } finally {
    await changed.restore();
  }
});

describe('GET', () => {
  const PREFLIGHT = { 'apollo-require-preflight': 'true' };
  const url = (id: string) => `${server.httpUrl}?${new URLSearchParams({ query: 'query S($id: ID!) { shoe(id: $id) { id name version } }', variables: JSON.stringify({ id }) })}`;

  it('answers a kept answer 304 without executing it, with the tag its 200 had', async () => {
    const id = await createShoe();
    const first = await fetch(url(id), { headers: PREFLIGHT });
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    let status = 0;
    const revalidation = await lookups(async () => {
      const res = await fetch(url(id), { headers: { ...PREFLIGHT, 'if-none-match': etag, 'cache-control': 'no-cache' } });
      await res.arrayBuffer();
      status = res.status;
      expect(res.headers.get('etag')).toBe(etag);
    });
    expect(status).toBe(304);
    expect(revalidation).toEqual({ hit: 1, miss: 0 });
  });

  it('tags an unknown shoe by version 0 and a shoe by its version: the same tag until the version changes', async () => {
    const id = await createShoe();
    const tag = async () => {
      const res = await fetch(url(id), { headers: PREFLIGHT });
      await res.arrayBuffer();
      return res.headers.get('etag');
    };
    const v1 = await tag();
    expect(await tag()).toBe(v1);
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: id, size: 5 } }, shopper);
    const v2 = await tag();
    expect(v2).not.toBe(v1);
    expect(await tag()).toBe(v2);
    const unknown = url('00000000-0000-4000-8000-000000000000');
    const tags = await Promise.all([0, 1].map(async () => (await fetch(unknown, { headers: PREFLIGHT })).headers.get('etag')));
    expect(tags[0]).toMatch(/^"/);
    expect(tags[1]).toBe(tags[0]);
  });
});

it('answers an operationName that names no operation with an error, as without the cache (no 500)', async () => {
  const res = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
  });
  const body = (await res.json()) as { errors?: { message: string }[] };
  expect(res.status).toBe(400);
  expect(body.errors?.[0].message).toMatch(/Unknown operation named "B"/);
});
