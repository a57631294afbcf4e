import { wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';
import { QUERY_LIMITS } from '../../src/graphql/query-limits';

/** QUERY_TOO_COMPLEX is refused before execution, over HTTP, in a batch, and over WebSocket. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const post = async (body: unknown) => {
  const res = await fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as unknown };
};
// graphql-js already caps nesting of __Type.fields; chains of ofType are what an attacker can still nest.
const deep = `{ __type(name: "Shoe") { fields { type { ${'ofType { '.repeat(14)} name ${'} '.repeat(14)} } } } }`;

it('refuses a query over the depth limit with the limit named', async () => {
  const { status, body } = await post({ query: deep });
  expect(status).toBe(400);
  expect(body).toMatchObject({ errors: [{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' } }] });
});

it('refuses too many aliases and too high a cost', async () => {
  const aliases = `{ ${Array.from({ length: QUERY_LIMITS.aliases + 1 }, (_, i) => `a${i}: shoes(first: 1) { totalCount }`).join(' ')} }`;
  expect((await post({ query: aliases })).body).toMatchObject({ errors: [{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases' } }] });
  const costly = `{ ${Array.from({ length: 12 }, (_, i) => `e${i}: events(first: 1000) { edges { cursor node { shoeId version occurredAt position } } }`).join(' ')} }`;
  expect((await post({ query: costly })).body).toMatchObject({ errors: [{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'cost' } }] });
});

it('answers a batch up to the batch limit and refuses a larger one whole', async () => {
  const op = { query: '{ shoes(first: 1) { totalCount } }' };
  const ok = await post(Array.from({ length: QUERY_LIMITS.batch }, () => op));
  expect(ok.status).toBe(200);
  expect(ok.body).toHaveLength(QUERY_LIMITS.batch);
  const refused = await post(Array.from({ length: QUERY_LIMITS.batch + 1 }, () => op));
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ errors: [{ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'batch' } }] });
});

it('applies the same limits to subscriptions over WebSocket', async () => {
  const client = wsClient(server.wsUrl);
  try {
    // A valid subscription (one root field; validation comes first now), over the alias limit.
    const aliased = `subscription { shoeEvents { ${Array.from({ length: QUERY_LIMITS.aliases + 1 }, (_, i) => `a${i}: version`).join(' ')} } }`;
    const error = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: aliased }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
    });
    expect(error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' }) })]);
  } finally {
    await client.dispose();
  }
});

it('answers the standard introspection query within the default limits', async () => {
  const { getIntrospectionQuery } = await import('graphql');
  const { status, body } = await post({ query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) });
  expect(status).toBe(200);
  expect(body).toMatchObject({ data: { __schema: { queryType: { name: 'Query' } } } });
});
