import { readFileSync } from 'node:fs';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CreateShoeDocument, ImportTrueToSizesDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk } from '../support/graphql-client';
import { ServerProcess, startServerProcess, stopAllServerProcesses } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { adminToken, readLogUntil, report, sleep, subscribe, userToken } from './cluster-kit';

/**
 * Issue 9, sockets, against a real server process (what an attacker with no token can do to it):
 *  - one 90 MB frame, on either protocol, is refused with 1009 and the process goes on serving HTTP and sockets
 *    (it used to block the event loop for 53 s, then die of heap exhaustion);
 *  - a legacy (subscriptions-transport-ws) reader that stops reading its socket is ended with SUBSCRIPTION_LAGGED
 *    while the server's memory stays bounded (it used to buffer everything for it: 160 MB → 1 GB in 15 s).
 */
const QUEUE = 200;
const IMPORTS = 40; // big events: fill the kernel's socket buffers between server and paused reader
const HEAVY_SUBSCRIPTIONS = 10; // on the paused socket, ~500 kB per import each: buffered without limit, ~200 MB more
const ALIASES = 25;
const RATERS = 20;
const RATINGS_EACH = 60; // then ordinary rating traffic, well over the queue
const SHOES = 10;
const MAX_RSS_MB = 300;

let db: TestDatabase;
let server: ServerProcess;
const clients: Client[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  db = await createTestDatabase('tts_hostile_sockets');
  // A bounded heap: a server that buffers a frame or a paused reader without limit dies early instead of swapping.
  server = await startServerProcess({
    env: { DATABASE_URL: db.url, FEED_SUBSCRIBER_QUEUE_SIZE: String(QUEUE), NODE_OPTIONS: '--max-old-space-size=1024' },
  });
});
afterAll(async () => {
  sockets.forEach((s) => s.terminate());
  await Promise.all(clients.map((client) => client.dispose()));
  await stopAllServerProcesses();
  await db?.drop();
});

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

async function healthMs(): Promise<number> {
  const began = Date.now();
  const res = await fetch(`${server.baseUrl}/health/live`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return Date.now() - began;
}

it.each(['graphql-transport-ws', 'graphql-ws'])('refuses a 90 MB frame on %s with 1009; HTTP and other sockets are served promptly', async (protocol) => {
  const admin = await adminToken();
  const witness = subscribe(server.wsUrl, {}, clients);
  const socket = new WebSocket(server.wsUrl, protocol);
  sockets.push(socket);
  socket.on('error', () => undefined); // the server may reset the rest of the frame; the close code tells the outcome
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  const query = `subscription { shoeEvents { position } } # ${'x'.repeat(90 * 1024 * 1024)}`;
  socket.send(JSON.stringify({ id: 'huge', type: protocol === 'graphql-ws' ? 'start' : 'subscribe', payload: { query } }));
  const code = await Promise.race([closed, sleep(10_000).then(() => -1)]);
  expect(code).toBe(1009);
  // The process lives and answers at once, over HTTP and on the other socket.
  expect(await healthMs()).toBeLessThan(1_000);
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `After a huge frame ${protocol}` } }, admin)).createShoe;
  const events = await witness.waitFor(1, 5_000);
  expect(events.map((e) => e.shoeId)).toContain(shoe.id);
  expect(server.pid > 0 && rssMb(server.pid) < MAX_RSS_MB).toBe(true);
});

it(`ends a paused legacy reader with SUBSCRIPTION_LAGGED while the server stays under ${MAX_RSS_MB} MB`, async () => {
  const admin = await adminToken();
  const shoes: string[] = [];
  for (let i = 0; i < SHOES; i++) shoes.push((await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: `Paused ${i}` } }, admin)).createShoe.id);
  const start = (await readLogUntil(server.httpUrl, SHOES + 2)).at(-1)!.position;
  const fast = subscribe(server.wsUrl, { after: start }, clients);

  const slow = await pausedLegacyReader(server.wsUrl, start, () =>
    userToken('paused-warm-up').then((user) => gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoes[0], size: 3 } }, user)),
  );

  let maxRss = rssMb(server.pid);
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(server.pid))), 100);
  try {
    const sizes = Array.from({ length: 10_000 }, (_, i) => (i % 5) + 1);
    for (let i = 0; i < IMPORTS; i += 4) {
      await Promise.all([0, 1, 2, 3].map((k) => gqlOk(server.httpUrl, ImportTrueToSizesDocument, { input: { shoeId: shoes[(i + k) % SHOES], sizes } }, admin)));
    }
    await Promise.all(
      Array.from({ length: RATERS }, async (_, r) => {
        const user = await userToken(`paused-rater-${r}`);
        for (let n = 0; n < RATINGS_EACH; n++) {
          const size = ((r + Math.floor(n / SHOES)) % 5) + 1;
          await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoes[(r + n) % SHOES], size } }, user);
        }
      }),
    );
    const total = 1 + IMPORTS + RATERS * RATINGS_EACH;
    await fast.waitFor(total, 30_000);
  } finally {
    clearInterval(sampler);
  }
  report(`paused legacy reader: server RSS max ${maxRss} MB under the traffic`);

  const { received, errors } = await slow.resumeAndDrain();
  report(`paused legacy reader: got ${received} results per subscription before it lagged`);
  expect(errors).toHaveLength(HEAVY_SUBSCRIPTIONS + 1);
  for (const error of errors) {
    expect(error).toEqual(expect.objectContaining({ extensions: { code: 'SUBSCRIPTION_LAGGED', lastPosition: expect.any(String) } }));
  }
  expect(maxRss).toBeLessThan(MAX_RSS_MB);
  expect(fast.errors).toEqual([]);
});

/** shoeEvents with every import's sizes 25 times over (aliases). */
const HEAVY_SHOE_EVENTS = `subscription ($after: String) {
  shoeEvents(after: $after) {
    __typename position shoeId version
    ... on TrueToSizesImported { ${Array.from({ length: ALIASES }, (_, i) => `s${i}: sizes`).join(' ')} }
  }
}`;

/** And one shoeChanged: its results go through the library's own loop (not written directly), paced by the socket. */
const SHOE_CHANGED = 'subscription { shoeChanged { id version } }';

type Payload = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/**
 * A raw subscriptions-transport-ws client with a few heavy subscriptions (and a shoeChanged) that stops reading its socket once each
 * received the warm-up event; `resumeAndDrain` reads again until every subscription ended.
 */
async function pausedLegacyReader(url: string, after: string, warmUp: () => Promise<unknown>) {
  const socket = new WebSocket(url, 'graphql-ws');
  sockets.push(socket);
  const results = new Map<string, number>();
  const errors: NonNullable<Payload['errors']> = [];
  const ended = new Set<string>();
  let closed = false;
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw)) as { type: string; id?: string; payload?: Payload };
    const id = String(message.id);
    if (message.type === 'data') {
      if (message.payload?.data) results.set(id, (results.get(id) ?? 0) + 1);
      errors.push(...(message.payload?.errors ?? []));
    }
    if (message.type === 'error') errors.push(message.payload as never);
    if (message.type === 'complete' || message.type === 'error') ended.add(id);
  });
  socket.on('close', () => (closed = true));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  const ids = Array.from({ length: HEAVY_SUBSCRIPTIONS }, (_, i) => `heavy-${i}`);
  for (const id of ids) socket.send(JSON.stringify({ id, type: 'start', payload: { query: HEAVY_SHOE_EVENTS, variables: { after } } }));
  socket.send(JSON.stringify({ id: 'changed', type: 'start', payload: { query: SHOE_CHANGED } }));
  ids.push('changed');
  await sleep(300);
  await warmUp();
  for (const deadline = Date.now() + 15_000; !ids.every((id) => results.get(id)); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`the paused reader never received the warm-up event: ${JSON.stringify(errors)}`);
  }
  socket.pause(); // stop reading: from here on, only the kernel's buffers take what the server sends
  return {
    resumeAndDrain: async () => {
      socket.resume();
      const deadline = Date.now() + 30_000;
      while (ended.size < ids.length) {
        if (closed) throw new Error(`the paused socket was closed before its subscriptions ended (${JSON.stringify([...results])})`);
        if (Date.now() > deadline) throw new Error(`the paused subscriptions did not end (${JSON.stringify([...results])}, ${JSON.stringify(errors)})`);
        await sleep(20);
      }
      return { received: [...results.values()], errors };
    },
  };
}
