import WebSocket from 'ws';
import { encodePosition } from '../../src/event-store/position';
import {
  CreateShoeDocument,
  RenameShoeDocument,
  ShoeChangedDocument,
  ShoeEventsDocument,
  SubmitTrueToSizeDocument,
} from '../generated/graphql';
import { collect, gqlOk, logOf, token, wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';
import { checkProjections } from '../support/projection-check';

/** Subscriptions over a real WebSocket, fed from the event store's gap-free order. */
let server: TestServer;
let admin: string;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server?.close();
});

const url = () => server.httpUrl;
const client = (authorization?: string) => {
  const c = wsClient(server.wsUrl, authorization);
  clients.push(c);
  return c;
};
const createShoe = async (name: string) => (await gqlOk(url(), CreateShoeDocument, { input: { name, brand: 'Live' } }, admin)).createShoe;

it('60 concurrent writers on one shoe all succeed, and a subscriber sees versions 2..61 exactly once, in order', async () => {
  const shoe = await createShoe('Contended');
  // Resume right after the creation event: deterministic, whatever the log's horizon did meanwhile.
  const [created] = await logOf(url(), shoe.id, 1);
  const sub = collect(client(), ShoeEventsDocument, { shoeId: shoe.id, after: created.cursor });
  const users = await Promise.all(Array.from({ length: 50 }, (_, i) => token(server.settings.jwtSecret, `rater-${i}`)));
  const writes = [
    ...users.map((t, i) => gqlOk(url(), SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: (i % 5) + 1 } }, t)),
    ...Array.from({ length: 10 }, (_, i) => gqlOk(url(), RenameShoeDocument, { input: { id: shoe.id, name: `Contended ${i}` } }, admin)),
  ];
  const results = await Promise.allSettled(writes);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  const items = await sub.waitFor(60);
  expect(items.map((i) => i.data?.shoeEvents.version)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
  const log = await logOf(url(), shoe.id, 61);
  expect(log.map((e) => e.node.version)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
  expect(items.map((i) => i.data?.shoeEvents.position)).toEqual(log.slice(1).map((e) => e.node.position));
  await new Promise((r) => setTimeout(r, 300));
  expect(sub.items).toHaveLength(60); // and nothing more
  sub.stop();
});

it('shoeEvents(after:) replays from the log, then continues live without gap or duplicate', async () => {
  const shoe = await createShoe('Replay');
  const t = await token(server.settings.jwtSecret, 'replayer');
  for (const size of [1, 2, 3]) await gqlOk(url(), SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size } }, t);
  const log = await logOf(url(), shoe.id, 4);
  const after = log[1].cursor; // after version 2: replay versions 3 and 4
  const sub = collect(client(), ShoeEventsDocument, { shoeId: shoe.id, after });
  const live = Promise.all([4, 5, 1].map((size, i) => token(server.settings.jwtSecret, `live-${i}`).then((u) =>
    gqlOk(url(), SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size } }, u))));
  await live;
  const items = await sub.waitFor(5);
  expect(items.map((i) => i.data?.shoeEvents.version)).toEqual([3, 4, 5, 6, 7]);
  sub.stop();
});

it('shoeEvents(after:) with a well-formed cursor of no event: BAD_USER_INPUT, then complete', async () => {
  const sub = collect(client(), ShoeEventsDocument, { after: encodePosition('1', '999999999') });
  await sub.done;
  expect(sub.items.map((i) => [i.data ?? null, i.errors?.map((e) => e.extensions?.code)])).toEqual([[null, ['BAD_USER_INPUT']]]);
});

it('an unfiltered subscriber gets every shoe, in log order', async () => {
  const sub = collect(client(), ShoeEventsDocument, {});
  await new Promise((r) => setTimeout(r, 300));
  const a = await createShoe('Unfiltered A');
  const b = await createShoe('Unfiltered B');
  const items = await sub.waitFor(2);
  expect(items.slice(0, 2).map((i) => i.data?.shoeEvents.shoeId)).toEqual([a.id, b.id]);
  sub.stop();
});

it('shoeChanged pushes the read model that reflects the change', async () => {
  const shoe = await createShoe('Changing');
  const sub = collect(client(), ShoeChangedDocument, { id: shoe.id });
  await new Promise((r) => setTimeout(r, 300));
  const rater = await token(server.settings.jwtSecret, 'changer');
  await gqlOk(url(), SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 5 } }, rater);
  // The subscription starts at the end of the log, which may trail the creation for a moment: then the
  // creation arrives first (version 1). Either way the rating's payload must reflect the rating.
  const deadline = Date.now() + 15000;
  while (!sub.items.some((i) => i.data?.shoeChanged.version === 2) && Date.now() < deadline) await sub.waitFor(sub.items.length + 1);
  const rated = sub.items.find((i) => i.data?.shoeChanged.version === 2);
  expect(rated?.data?.shoeChanged).toMatchObject({ id: shoe.id, version: 2, trueToSize: { count: 1, average: 5 } });
  sub.stop();
});

describe('socket identity', () => {
  const closeCodeOf = (authorization: string) =>
    new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })));
      socket.on('close', (code) => resolve(code));
      socket.on('error', reject);
    });

  it('refuses a connection_init with a forged token (4403)', async () => {
    const forged = await token('not-the-secret-but-long-enough-to-sign', 'mallory', ['admin']);
    await expect(closeCodeOf(`Bearer ${forged}`)).resolves.toBe(4403);
  });

  it('closes a socket with 4403 when its token expires', async () => {
    const shortLived = await token(server.settings.jwtSecret, 'brief', [], 2);
    const started = Date.now();
    await expect(closeCodeOf(`Bearer ${shortLived}`)).resolves.toBe(4403);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('accepts a valid token and an anonymous socket', async () => {
    const valid = await token(server.settings.jwtSecret, 'fine');
    const sub = collect(client(`Bearer ${valid}`), ShoeEventsDocument, {});
    const anon = collect(client(), ShoeEventsDocument, {});
    await new Promise((r) => setTimeout(r, 300));
    await createShoe('Socket Identity');
    await sub.waitFor(1);
    await anon.waitFor(1);
    sub.stop();
    anon.stop();
  });
});

it('leaves every projection equal to the fold of the log', async () => {
  const report = await checkProjections(server.db.url);
  expect(report.events).toBe(report.logSize);
  expect(report.events).toBeGreaterThan(60);
  expect(report.differences).toEqual([]);
});
