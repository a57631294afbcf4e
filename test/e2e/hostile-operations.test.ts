import WebSocket from 'ws';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk, token } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Hostile operations get the same checks in the same order (length → parse → validate → variables → limits)
 * and the same codes over HTTP, graphql-ws and the legacy protocol; over a socket a bad operation fails only
 * itself: the socket and its other subscriptions keep working.
 */
let server: TestServer;
let admin: string;
beforeAll(async () => {
  // One fresh shoe and rater per case: rate limits off, they are not what this file tests.
  server = await startTestServer({ RATE_LIMIT_USER_PER_MINUTE: '0', RATE_LIMIT_ADDRESS_PER_MINUTE: '0' });
  admin = await token(server.settings.jwtSecret, 'hostile-admin', ['admin']);
});
afterAll(() => server?.close());

const page = (alias: string) => `${alias}: events(first: 1000) { edges { node { ... on TrueToSizesImported { sizes } } } }`;
/** Each fragment spreads the next twice: 2^n fields from a few hundred bytes. */
const doubling = (n: number) =>
  `query { ...F0 } ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${n} on Query { shoes(first: 1) { totalCount } }`;
const defaulted = `query($f: Int = 1000) { ${Array.from({ length: 30 }, (_, i) => `e${i}: events(first: $f) { edges { node { shoeId version occurredAt position } } }`).join(' ')} }`;
// Over QUERY_LIMITS.length (50,000) and under the 100 KB HTTP body limit, so the length check itself answers.
const oversize = `{ shoes(first: 1) { totalCount } } # ${'x'.repeat(60_000)}`;

type Case = { name: string; query: string; variables?: Record<string, unknown>; code: string; limit?: string };
const CASES: Case[] = [
  { name: 'syntax error', query: 'subscription { shoeEvents( }', code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'too many tokens', query: `{ __typename ${'a '.repeat(16_000)} }`, code: 'GRAPHQL_PARSE_FAILED' },
  { name: 'validation error', query: 'subscription { noSuchField }', code: 'GRAPHQL_VALIDATION_FAILED' },
  {
    name: 'fragment cycle',
    query: 'subscription { shoeEvents { ...A } } fragment A on ShoeEvent { version ...B } fragment B on ShoeEvent { shoeId ...A }',
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  { name: 'variable of the wrong type', query: 'query($n: Int) { events(first: $n) { edges { cursor } } }', variables: { n: 3.5 }, code: 'BAD_USER_INPUT' },
  { name: 'doubling fragments', query: doubling(26), code: 'QUERY_TOO_COMPLEX', limit: 'cost' },
  { name: 'costly variable default', query: defaulted, code: 'QUERY_TOO_COMPLEX', limit: 'cost' },
  { name: 'sizes multiplied by aliases', query: `{ ${page('a')} ${page('b')} }`, code: 'QUERY_TOO_COMPLEX', limit: 'listValues' },
  { name: 'oversize query text', query: oversize, code: 'QUERY_TOO_COMPLEX', limit: 'length' },
];

type Reply = { type: string; id?: string; payload?: unknown };
type ErrorLike = { extensions?: { code?: string; limit?: string } };

/** A raw client of either socket protocol, with one live subscription to a fresh shoe's events. */
let shoes = 0;
async function socketWithLiveSubscription(protocol: 'graphql-transport-ws' | 'graphql-ws') {
  const legacy = protocol === 'graphql-ws';
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Hostile ${protocol} ${(shoes += 1)}` } }, admin)).createShoe;
  const socket = new WebSocket(server.wsUrl, protocol);
  const replies: Reply[] = [];
  let closedWith: number | null = null;
  socket.on('message', (raw) => replies.push(JSON.parse(String(raw)) as Reply));
  socket.on('close', (code) => (closedWith = code));
  await new Promise((resolve, reject) => socket.on('open', resolve).on('error', reject));
  const until = async (predicate: () => boolean, what: string, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline || closedWith !== null) throw new Error(`${what}: closed ${closedWith}, got ${JSON.stringify(replies).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await until(() => replies.some((m) => m.type === 'connection_ack'), 'ack');
  const send = (id: string, query: string, variables: Record<string, unknown> = {}) =>
    socket.send(JSON.stringify({ id, type: legacy ? 'start' : 'subscribe', payload: { query, variables } }));
  send('live', 'subscription($id: ID) { shoeEvents(shoeId: $id) { version } }', { id: shoe.id });
  /** The errors the server answered operation `id` with (an `error` message, or a data/next carrying errors). */
  const errorsOf = async (id: string): Promise<ErrorLike[]> => {
    await until(() => replies.some((m) => m.id === id && m.type !== 'complete'), `reply to ${id}`);
    const reply = replies.find((m) => m.id === id && m.type !== 'complete')!;
    if (reply.type === 'error') return (legacy ? [reply.payload] : reply.payload) as ErrorLike[];
    return ((reply.payload as { errors?: ErrorLike[] }).errors ?? []) as ErrorLike[];
  };
  const liveEvents = () => replies.filter((m) => m.id === 'live' && (m.type === 'next' || m.type === 'data')).length;
  const rate = async () => {
    const rater = await token(server.settings.jwtSecret, `hostile-rater-${protocol}-${shoe.id}`);
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 3 } }, rater);
    await until(() => liveEvents() >= 1, 'an event on the live subscription');
  };
  return { send, errorsOf, rate, closed: () => closedWith, close: () => socket.close() };
}

describe.each(['graphql-transport-ws', 'graphql-ws'] as const)('over the %s protocol', (protocol) => {
  it.each(CASES)('refuses a $name with $code, and the socket and its other subscription live on', async (c) => {
    const client = await socketWithLiveSubscription(protocol);
    try {
      const started = Date.now();
      client.send('bad', c.query, c.variables);
      const errors = await client.errorsOf('bad');
      expect(errors[0]?.extensions).toEqual(expect.objectContaining({ code: c.code, ...(c.limit ? { limit: c.limit } : {}) }));
      // The server stays responsive: no check may take anywhere near the seconds a re-walk of fragments took.
      expect(Date.now() - started).toBeLessThan(1000);
      await client.rate();
      expect(client.closed()).toBeNull();
    } finally {
      client.close();
    }
  });
});

describe('over HTTP', () => {
  const post = async (body: unknown) => {
    const started = Date.now();
    const res = await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { errors?: ErrorLike[] } | { errors?: ErrorLike[] }[], ms: Date.now() - started };
  };

  it.each(CASES)('refuses a $name with $code', async (c) => {
    const { status, body, ms } = await post({ query: c.query, variables: c.variables });
    expect(status).toBe(400);
    expect((body as { errors?: ErrorLike[] }).errors?.[0]?.extensions).toEqual(
      expect.objectContaining({ code: c.code, ...(c.limit ? { limit: c.limit } : {}) }),
    );
    expect(ms).toBeLessThan(1000);
  });

  it('sums the cost of a batch: one largest page of sizes fits, the second of the batch is refused', async () => {
    const { body } = await post([{ query: `{ ${page('a')} }` }, { query: `{ ${page('b')} }` }]);
    const codes = (body as { errors?: ErrorLike[]; data?: unknown }[]).map((r) => r.errors?.[0]?.extensions?.limit ?? 'ok');
    expect(codes).toEqual(['ok', 'listValues']);
  });
});
