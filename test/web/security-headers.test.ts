import { startTestServer, TestServer } from '../support/test-server';

/**
 * Browser safety (issue 9): the HTML pages carry a Content-Security-Policy, nosniff, no framing and no referrer;
 * and no response says which framework answered it. Whether the policy lets the pages work is the browser tests'
 * part (test/browser/*.test.ts assert no CSP violation).
 */
let server: TestServer;
let origin: string;
beforeAll(async () => {
  server = await startTestServer();
  origin = server.httpUrl.replace(/\/graphql$/, '');
});
afterAll(() => server?.close());

const pages: [string, string, RequestInit?][] = [
  ['the dashboard', '/'],
  ['a shoe page', '/shoes/00000000-0000-4000-8000-000000000000'],
  ['the GraphiQL IDE', '/graphql', { headers: { accept: 'text/html' } }],
];

describe.each(pages)('%s (%s)', (_name, path, init) => {
  it('sends CSP, nosniff, no framing and no referrer', async () => {
    const res = await fetch(origin + path, init);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/(^|; )default-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|; )script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')?(;|$)/); // no unsafe-inline, no eval
    expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
    expect(csp).toMatch(/(^|; )object-src 'none'(;|$)/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

it('names no framework on the API, health or error answers (no X-Powered-By)', async () => {
  const answers = await Promise.all([
    fetch(server.httpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
    fetch(`${origin}/health/live`),
    fetch(`${origin}/no-such-page`),
    fetch(`${origin}/graphiql/assets/graphiql.js`),
  ]);
  expect(answers.map((res) => res.status)).toEqual([200, 200, 404, 200]);
  for (const res of answers) {
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  }
});
