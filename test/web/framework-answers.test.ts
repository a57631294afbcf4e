import { AppLogger } from '../../src/logging/app-logger.service';
import { SECURITY_HEADERS } from '../../src/web/security-headers';
import { sendRaw, type RawAnswer } from '../support/raw-http';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Answers that Fastify or Node.js give on their own, before any hook of ours runs (issue 11 follow-up): each must
 * carry the same security headers as every other answer, and the request's id where a request exists. Spoken as a
 * hostile client would, over a raw socket, so that nothing on our side normalizes the request first.
 */
let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  port = Number(new URL(server.httpUrl).port);
});
afterAll(() => server?.close());

const send = (request: string | Buffer): Promise<RawAnswer> => sendRaw(port, request);

function get(path: string, extraHeaders = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extraHeaders}\r\n`;
}

function post(path: string, contentType: string, body: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: ${contentType}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function expectSecurityHeaders(answer: RawAnswer): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([name, answer.headers.get(name)]).toEqual([name, value]);
  expect(answer.headers.get('x-powered-by')).toBeUndefined();
}

const longParameter = 'a'.repeat(500); // Fastify's maxParamLength is 100

const withRequest: [string, string, number][] = [
  ['a malformed URL (the router, before any hook)', get('/%zz'), 400],
  ['a malformed URL on a route with a parameter', get('/shoes/%zz'), 400],
  ['a route parameter over maxParamLength', get(`/shoes/${longParameter}`), 404],
  ['an unknown path', get('/no-such-page'), 404],
  ['an unknown method', get('/graphql').replace(/^GET/, 'PROPFIND'), 404],
  ['an Expect other than 100-continue (Node.js, before Fastify)', get('/health/live', 'expect: something-else\r\n'), 417],
  ['malformed JSON', post('/graphql', 'application/json', '{"query":'), 400],
  ['a body over the limit', post('/graphql', 'application/json', ' '.repeat(200 * 1024)), 413],
  ['an unparsable content-type', post('/graphql', ';;;', 'x'), 415],
  ['a traversal out of the dashboard', get('/../../etc/passwd'), 403],
];

describe.each(withRequest)('%s', (_name, request, status) => {
  it(`answers ${status} with the security headers and the request's id`, async () => {
    const generated = await send(request);
    expect(generated.status).toBe(status);
    expectSecurityHeaders(generated);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const given = await send(request.replace('\r\n', '\r\nx-request-id: edge-42\r\n'));
    expect(given.status).toBe(status);
    expect(given.headers.get('x-request-id')).toBe('edge-42');
  });
});

// No request exists (Node.js could not parse one): the security headers, but no request id to send.
const clientErrors: [string, string, number][] = [
  ['an unparsable request line', 'NOT HTTP AT ALL\r\n\r\n', 400],
  ['a header that is not a header', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n', 400],
  ['headers over the size limit', get('/health/live', `x-big: ${'a'.repeat(20_000)}\r\n`), 431],
];

describe.each(clientErrors)('%s', (_name, request, status) => {
  it(`answers ${status} with the security headers and closes`, async () => {
    const answer = await send(request);
    expect(answer.status).toBe(status);
    expectSecurityHeaders(answer);
    expect(answer.headers.get('connection')).toBe('close');
  });
});

it("logs an operation under the id its answer names, an unsafe caller's id replaced", async () => {
  // The operation's log line is written at info (tests run at warn): enabled, and caught, for this test only.
  const enabled = jest.spyOn(AppLogger.prototype, 'isEnabled').mockReturnValue(true);
  const info = jest.spyOn(AppLogger.prototype, 'info').mockImplementation(() => undefined);
  try {
    const answer = await send(post('/graphql', 'application/json', '{"query":"{ __typename }"}').replace('\r\n', '\r\nx-request-id: <script>\r\n'));
    expect(answer.status).toBe(200);
    const id = answer.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const logged = info.mock.calls.map(([, fields]) => fields?.requestId);
    expect(logged).toContain(id);
  } finally {
    info.mockRestore();
    enabled.mockRestore();
  }
});
