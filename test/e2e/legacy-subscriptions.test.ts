import WebSocket from 'ws';
import { print } from 'graphql';
import { CreateShoeDocument, ShoeEventsDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { collect, gqlOk, logOf, token, wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * GraphQL Playground and older Apollo clients speak subscriptions-transport-ws (subprotocol "graphql-ws") on
 * the same /graphql path as graphql-ws: same stream, same identity rules, same errors.
 */
type Message = { type: string; id?: string; payload?: { data?: Record<string, { version: number; position: string }>; errors?: { extensions?: Record<string, unknown> }[] } };

let server: TestServer;
let admin: string;
beforeAll(async () => {
  server = await startTestServer();
  admin = await token(server.settings.jwtSecret, 'legacy-admin', ['admin']);
});
afterAll(() => server?.close());

/** A raw legacy-protocol client: connection_init → connection_ack, then `start` operations. */
function legacyClient(authorization?: string) {
  const socket = new WebSocket(server.wsUrl, 'graphql-ws');
  const messages: Message[] = [];
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('message', (raw) => messages.push(JSON.parse(String(raw)) as Message));
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} }));
      resolve();
    });
    socket.on('error', reject);
  });
  const until = async (predicate: () => boolean, ms = 10000) => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`legacy client waited ${ms} ms; got ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    socket,
    messages,
    closed,
    opened,
    until,
    start: (id: string, query: string, variables: Record<string, unknown> = {}) =>
      socket.send(JSON.stringify({ id, type: 'start', payload: { query, variables } })),
    data: (id: string) => messages.filter((m) => m.id === id && m.type === 'data'),
  };
}

it('streams the same events in the same order as graphql-ws, and resumes with after:', async () => {
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Legacy' } }, admin)).createShoe;
  const [created] = await logOf(server.httpUrl, shoe.id, 1);
  const legacy = legacyClient();
  await legacy.opened;
  await legacy.until(() => legacy.messages.some((m) => m.type === 'connection_ack'));
  legacy.start('1', print(ShoeEventsDocument), { shoeId: shoe.id, after: created.cursor });
  const modern = collect(wsClient(server.wsUrl), ShoeEventsDocument, { shoeId: shoe.id, after: created.cursor });
  for (let i = 0; i < 5; i++) {
    const rater = await token(server.settings.jwtSecret, `legacy-rater-${i}`);
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: (i % 5) + 1 } }, rater);
  }
  await legacy.until(() => legacy.data('1').length >= 5);
  const viaLegacy = legacy.data('1').map((m) => m.payload?.data?.shoeEvents);
  expect(viaLegacy.map((e) => e?.version)).toEqual([2, 3, 4, 5, 6]);
  const viaModern = (await modern.waitFor(5)).map((m) => m.data?.shoeEvents.position);
  expect(viaLegacy.map((e) => e?.position)).toEqual(viaModern);
  modern.stop();
  legacy.socket.close();
});

it('refuses a connection_init with a forged token (4403)', async () => {
  const forged = await token('not-the-secret-but-long-enough-to-sign', 'mallory', ['admin']);
  const legacy = legacyClient(`Bearer ${forged}`);
  await expect(legacy.closed).resolves.toBe(4403);
});

it('closes a socket with 4403 when its token expires', async () => {
  const brief = await token(server.settings.jwtSecret, 'brief', [], 2);
  const legacy = legacyClient(`Bearer ${brief}`);
  await legacy.opened;
  await legacy.until(() => legacy.messages.some((m) => m.type === 'connection_ack'));
  await expect(legacy.closed).resolves.toBe(4403);
});

it('gives errors the same codes and applies the same query limits', async () => {
  const legacy = legacyClient();
  await legacy.opened;
  await legacy.until(() => legacy.messages.some((m) => m.type === 'connection_ack'));
  legacy.start('bad', print(ShoeEventsDocument), { after: 'garbage' });
  const aliased = `subscription { shoeEvents { ${Array.from({ length: 31 }, (_, i) => `a${i}: version`).join(' ')} } }`;
  legacy.start('big', aliased);
  await legacy.until(() => ['bad', 'big'].every((id) => legacy.messages.some((m) => m.id === id && (m.type === 'data' || m.type === 'error'))));
  const codeOf = (id: string) => legacy.messages.find((m) => m.id === id)?.payload?.errors?.[0]?.extensions?.code;
  expect(codeOf('bad')).toBe('BAD_USER_INPUT');
  expect(codeOf('big')).toBe('QUERY_TOO_COMPLEX');
  legacy.socket.close();
});

it('leaves graphql-ws clients on graphql-ws', async () => {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  await new Promise((resolve) => socket.on('open', resolve));
  expect(socket.protocol).toBe('graphql-transport-ws');
  socket.close();
});
