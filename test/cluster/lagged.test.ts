import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CreateShoeDocument, ImportTrueToSizesDocument, ShoeEventsSubscription, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk } from '../support/graphql-client';
import { ServerProcess, startServerProcess, stopAllServerProcesses } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { adminToken, percentiles, readLogUntil, report, sleep, subscribe, userToken } from './cluster-kit';

/**
 * One slow client must never delay the others (issue 3, item 2). A raw graphql-transport-ws client subscribes,
 * then stops reading its socket; another, normal subscriber on the same instance reads everything while
 * thousands of events are written. The server only notices a stalled reader once TCP pushes back: the kernel's
 * buffers (a few MB on loopback) absorb its sends first. So the slow client asks for a heavy payload (the 10,000
 * sizes of an import under 25 aliases, ~500 kB per event) and a few dozen imports fill those buffers; after that
 * every event waits in its server-side queue, made small here (FEED_SUBSCRIBER_QUEUE_SIZE=50), which overflows.
 * All within seconds: graphql-ws's keep-alive would drop a socket that answers no ping for 12 to 24 s.
 */
const QUEUE = 50;
const IMPORTS = 40; // ~20 MB for the slow client, ~0.8 MB for the fast one
const IMPORTERS = 4;
const ALIASES = 25; // the query limits allow 30
const RATERS = 20;
const RATINGS_EACH = 100; // 2,000 small events besides
const SHOES = 10;

let db: TestDatabase;
let server: ServerProcess;
const clients: Client[] = [];
let slowSocket: WebSocket | undefined;

beforeAll(async () => {
  db = await createTestDatabase('tts_lagged');
  server = await startServerProcess({ env: { DATABASE_URL: db.url, FEED_SUBSCRIBER_QUEUE_SIZE: String(QUEUE) } });
});
afterAll(async () => {
  slowSocket?.terminate();
  await Promise.all(clients.map((client) => client.dispose()));
  await stopAllServerProcesses();
  await db?.drop();
});

it('ends a stalled subscriber with SUBSCRIPTION_LAGGED (resumable with no gap) while a fast one on the same instance gets everything', async () => {
  const admin = await adminToken();
  const shoes: string[] = [];
  for (let i = 0; i < SHOES; i++) shoes.push((await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Lag ${i}` } }, admin)).createShoe.id);
  const start = (await readLogUntil(server.httpUrl, SHOES)).at(-1)!.position;

  const fast = subscribe(server.wsUrl, { after: start }, clients);
  // One warm-up rating, received by the slow client before it stalls: then its subscription is live (a
  // subscription still replaying history pulls it page by page, and a stalled one would simply stop pulling).
  const warmUp = () => userToken('lag-warm-up').then((user) => gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoes[0], size: 3 } }, user));
  const slow = await stalledSubscriber(server.wsUrl, start, warmUp);

  const began = Date.now();
  // Writers: imports (big events) and many users' ratings (small ones), all at once.
  const sizes = Array.from({ length: 10_000 }, (_, i) => (i % 5) + 1);
  let imported = 0;
  let rated = 0;
  const importers = Array.from({ length: IMPORTERS }, async () => {
    while (imported < IMPORTS) {
      imported++;
      await gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: shoes[imported % SHOES], sizes } }, admin);
    }
  });
  const acknowledged = new Map<string, number>(); // shoeId:version → when its writer had the response
  const raters = Array.from({ length: RATERS }, async (_, r) => {
    const user = await userToken(`lag-rater-${r}`);
    for (let n = 0; n < RATINGS_EACH; n++) {
      const shoeId = shoes[(r + n) % SHOES];
      const size = ((r + Math.floor(n / SHOES)) % 5) + 1; // differs from this user's previous rating of this shoe
      const { submitTrueToSize } = await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId, size } }, user);
      acknowledged.set(`${shoeId}:${submitTrueToSize.version}`, Date.now());
      rated++;
    }
  });
  // By the end of the imports the slow subscriber's socket buffers are long full and its queue has taken the
  // later imports and the ratings written meanwhile; 2 queues' worth of ratings more make the overflow certain.
  // Then it reads again (well before the keep-alive would drop it), while the ratings keep coming.
  await Promise.all(importers);
  const importedIn = Date.now() - began;
  const ratedBefore = rated;
  while (rated < Math.min(ratedBefore + 2 * QUEUE, RATERS * RATINGS_EACH)) await sleep(10);
  const drained = slow.resumeAndDrain();
  await Promise.all(raters);
  const wrote = Date.now() - began;
  const total = 1 + IMPORTS + RATERS * RATINGS_EACH;
  const log = await readLogUntil(server.httpUrl, total, start);
  expect(log).toHaveLength(total);
  await fast.waitFor(total, 30_000);

  // The fast subscriber: every event, in log order, and never lagged.
  expect(fast.errors).toEqual([]);
  expect(fast.events.map((e) => e.position)).toEqual(log.map((e) => e.position));

  // The slow one reads again: what it gets is a prefix of the log, then SUBSCRIPTION_LAGGED naming the last
  // position it received, then the end of the subscription.
  const lagged = await drained;
  expect(lagged.errors).toEqual([
    expect.objectContaining({ extensions: { code: 'SUBSCRIPTION_LAGGED', lastPosition: lagged.events.at(-1)?.position ?? start } }),
  ]);
  expect(lagged.events.length).toBeLessThan(total);
  expect(lagged.events.map((e) => e.position)).toEqual(log.slice(0, lagged.events.length).map((e) => e.position));

  // Resuming after lastPosition replays the rest: no gap, no duplicate.
  const lastPosition = lagged.errors[0].extensions!.lastPosition as string;
  const resumed = subscribe(server.wsUrl, { after: lastPosition }, clients);
  await resumed.waitFor(total - lagged.events.length, 30_000);
  await sleep(300);
  expect([...lagged.events, ...resumed.events].map((e) => e.position)).toEqual(log.map((e) => e.position));

  // Two views of the fast subscriber's latency: from the command's clock (occurredAt, so it includes the
  // write itself, queued behind others on the shoe's lock) and from the writer's own acknowledgment (negative
  // when the event arrived before the HTTP response did).
  const received = new Map(fast.events.map((e, i) => [e.position, fast.receivedAt[i]]));
  const fromOccurred = percentiles(log.map((e) => received.get(e.position)! - Date.parse(e.occurredAt)));
  const fromAck = percentiles(
    log.filter((e) => acknowledged.has(`${e.shoeId}:${e.version}`)).map((e) => received.get(e.position)! - acknowledged.get(`${e.shoeId}:${e.version}`)!),
  );
  report(
    `lagged: ${total} events (1 warm-up, ${IMPORTS} imports of 10,000 sizes + ${RATERS * RATINGS_EACH} ratings) written in ${wrote} ms (the imports in ${importedIn} ms); ` +
      `the slow subscriber lagged after ${lagged.events.length} events (queue ${QUEUE}); fast subscriber latency ` +
      `occurredAt → received p50 ${fromOccurred.p50} / p95 ${fromOccurred.p95} / max ${fromOccurred.max} ms, ` +
      `acknowledged → received p50 ${fromAck.p50} / p95 ${fromAck.p95} / max ${fromAck.max} ms`,
  );
});

/** shoeEvents with every import's sizes 25 times over (aliases): a heavy reader, within the query limits. */
const HEAVY_SHOE_EVENTS = `subscription ($after: String) {
  shoeEvents(after: $after) {
    __typename position shoeId version occurredAt
    ... on TrueToSizesImported { ${Array.from({ length: ALIASES }, (_, i) => `s${i}: sizes`).join(' ')} }
  }
}`;

type Payload = { data?: ShoeEventsSubscription | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/**
 * A raw graphql-transport-ws client that subscribes and then stops reading its socket (TCP back-pressure reaches
 * the server once the buffers between them are full); `resumeAndDrain` reads again until the subscription ends.
 */
async function stalledSubscriber(url: string, after: string, warmUp: () => Promise<unknown>) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  slowSocket = socket;
  const events: ShoeEventsSubscription['shoeEvents'][] = [];
  const errors: NonNullable<Payload['errors']> = [];
  let completed = false;
  let closed = false;
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: Payload | Payload['errors'] };
    if (message.type === 'next') {
      const payload = message.payload as Payload;
      if (payload.data?.shoeEvents) events.push(payload.data.shoeEvents);
      errors.push(...(payload.errors ?? []));
    }
    if (message.type === 'error') errors.push(...((message.payload as Payload['errors']) ?? []));
    if (message.type === 'complete' || message.type === 'error') completed = true;
  });
  socket.on('close', () => (closed = true));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  await acked;
  socket.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query: HEAVY_SHOE_EVENTS, variables: { after } } }));
  await warmUp();
  for (const deadline = Date.now() + 15_000; events.length === 0; await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`the slow subscriber never received the warm-up event: ${JSON.stringify(errors)}`);
  }
  socket.pause(); // stop reading: from here on, only the kernel's buffers take what the server sends
  return {
    resumeAndDrain: async () => {
      socket.resume();
      const deadline = Date.now() + 30_000;
      while (!completed) {
        if (closed) throw new Error(`the slow socket was closed before its subscription ended (${events.length} events received)`);
        if (Date.now() > deadline) throw new Error(`the slow subscription did not end (${events.length} events received)`);
        await sleep(20);
      }
      return { events, errors };
    },
  };
}
