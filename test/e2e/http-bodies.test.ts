import { startTestServer, TestServer } from '../support/test-server';

/**
 * What POST /graphql answers to bodies that are not a good JSON operation, and to other methods: the answers of the
 * Express server the service ran on before issue 11 (Fastify now), so clients see no change. README "Security".
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CORS_ORIGINS: 'http://allowed.example' });
});
afterAll(() => server?.close());

const post = async (body: string, contentType: string | null = 'application/json', path = '/graphql') => {
  const headers = contentType ? { 'content-type': contentType } : undefined;
  const res = await fetch(server.httpUrl.replace(/\/graphql$/, path), { method: 'POST', headers, body: contentType ? body : new TextEncoder().encode(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
};
const codeOf = (body: Record<string, unknown>) => (body.errors as { extensions: { code: string } }[] | undefined)?.[0]?.extensions.code;

it('refuses malformed JSON and top-level values other than objects and arrays with 400, as body-parser worded it', async () => {
  expect(await post('{"query":')).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Unexpected end of JSON input' } });
  expect(await post('null')).toMatchObject({ status: 400, body: { message: `Unexpected token 'n', "null" is not valid JSON` } });
  expect(await post('3')).toMatchObject({ status: 400, body: { message: `Unexpected token '3', "3" is not valid JSON` } });
});

it('answers 413 to a body over 100 KB, before anything reads it as GraphQL', async () => {
  const { status, body } = await post(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(110_000) }));
  expect(status).toBe(413);
  expect(body).toMatchObject({ statusCode: 413 });
});

it("leaves empty bodies and other content types to Apollo's own BAD_REQUEST", async () => {
  expect(await post('')).toMatchObject({ status: 400, body: { errors: [{ message: expect.stringContaining('POST body missing') }] } });
  for (const type of ['text/plain', 'application/graphql', null]) {
    const { status, body } = await post('{"query":"{ __typename }"}', type);
    expect([status, codeOf(body)]).toEqual([400, 'BAD_REQUEST']);
  }
});

it('keeps a __proto__ key an ordinary field (the operation runs)', async () => {
  expect(await post('{"query":"{ __typename }","__proto__":{"x":1}}')).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
});

it('answers other methods on /graphql with 405 and the methods it takes', async () => {
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const res = await fetch(server.httpUrl, { method, headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET, POST']);
  }
});

it('matches /graphql case-insensitively and with a trailing slash, as Express did', async () => {
  for (const path of ['/GraphQL', '/graphql/']) expect(await post('{"query":"{ __typename }"}', 'application/json', path)).toMatchObject({ status: 200 });
});

it('gives a CORS preflight the security headers and a request id too', async () => {
  const res = await fetch(server.httpUrl, { method: 'OPTIONS', headers: { origin: 'http://allowed.example', 'access-control-request-method': 'POST' } });
  expect(res.status).toBe(204);
  expect(res.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
  expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
