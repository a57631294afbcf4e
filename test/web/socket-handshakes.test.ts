import { SECURITY_HEADERS } from '../../src/web/security-headers';
import { sendRaw, type RawAnswer } from '../support/raw-http';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * WebSocket handshakes as a hostile client sends them, over a raw socket: every refusal is answered (never left
 * open), with our security headers and the request's id (socket-handshake-refusals.ts, socket-upgrade.router.ts),
 * and the endpoint is matched as HTTP matches it.
 */
let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  port = Number(new URL(server.httpUrl).port);
});
afterAll(() => server?.close());

/** Refusals are read until the server closes (each must close); a 101 as soon as its head is in. */
const send = (request: string): Promise<RawAnswer> => sendRaw(port, request, { timeoutMs: 3_000, untilClosed: true });

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
function upgrade(path: string, { method = 'GET', key = KEY, version = '13', protocol = 'graphql-transport-ws' } = {}): string {
  return (
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nx-request-id: handshake-test-1\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`
  );
}

function expectRefusal(answer: RawAnswer, status: number, message: RegExp): void {
  expect({ status: answer.status, closed: answer.closed }).toEqual({ status, closed: true });
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([name, answer.headers.get(name)]).toEqual([name, value]);
  expect(answer.headers.get('x-request-id')).toBe('handshake-test-1');
  expect(answer.headers.get('content-type')).toBe('application/json');
  expect(JSON.parse(answer.body)).toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
}

it('given an upgrade to a path that is not the endpoint, then it is refused with 404 and closed, not left open', async () => {
  for (const path of ['/', '/other', '/graphqlx', '/graphql/x', '/health/ready']) {
    // the legacy protocol too: its server (no path of its own) used to accept /graphqlx and /graphql/x
    for (const protocol of ['graphql-transport-ws', 'graphql-ws']) expectRefusal(await send(upgrade(path, { protocol })), 404, /connect to \/graphql/);
  }
});

it('given the endpoint spelled as HTTP accepts it (any case, a trailing slash, a query), then both protocols switch', async () => {
  for (const path of ['/graphql', '/GraphQL', '/graphql/', '/graphql?client=x']) {
    for (const protocol of ['graphql-transport-ws', 'graphql-ws']) {
      const answer = await send(upgrade(path, { protocol }));
      expect([path, protocol, answer.status, answer.headers.get('sec-websocket-protocol')]).toEqual([path, protocol, 101, protocol]);
    }
  }
});

it('given a malformed handshake on the endpoint, then ws\'s refusal comes with our headers, the same status and message', async () => {
  expectRefusal(await send(upgrade('/graphql', { key: 'short' })), 400, /Sec-WebSocket-Key/);
  expectRefusal(await send(upgrade('/graphql', { protocol: 'graphql-ws', key: '' })), 400, /Sec-WebSocket-Key/);
  expectRefusal(await send(upgrade('/graphql', { protocol: 'a b,,' })), 400, /Sec-WebSocket-Protocol/);
  expectRefusal(await send(upgrade('/graphql', { method: 'POST' })), 405, /HTTP method/);
  const badVersion = await send(upgrade('/graphql', { version: '99' }));
  expectRefusal(badVersion, 400, /Sec-WebSocket-Version/);
  expect(badVersion.headers.get('sec-websocket-version')).toBe('13, 8');
});
