/* global process, console, setInterval, clearInterval */
// `npm run soak -- --minutes N [--interval S]`: one built server process (`node dist/main.js`) under moderate mixed
// load for N minutes (issue 9, item 8): reads, writes by several users and an admin, subscriptions on both socket
// protocols with reconnects, slow readers that pause their TCP socket a while, and never-readers the server must
// end. Prints a line every interval (RSS, heap, event-loop delay, rates, errors by code, sockets), then a markdown
// summary and a verdict on memory. Exits 1 on any INTERNAL_SERVER_ERROR, error without a code, 5xx, socket closed
// with 1011/4500, or a crash of the server; the memory verdict is printed, never asserted (a judgement on a noisy
// number). A tool, not part of `npm test`. The database is a throwaway one on DATABASE_URL's server (created and
// dropped) or, without DATABASE_URL, an embedded cluster in a temp folder, as for the bench. Only 127.0.0.1 traffic.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { cleanUpOnExit, freePort, freshDatabase, makeAgent, request, ROOT, rssMb, runScript, sleep, spawnChild, waitFor } from '../bench/harness.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');
const { createClient } = require('graphql-ws');

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, interval: { type: 'string', default: '15' } } });
const MINUTES = Number(args.minutes);
const INTERVAL_SECONDS = Number(args.interval);
if (!(MINUTES > 0) || !(INTERVAL_SECONDS > 0)) throw new Error('--minutes and --interval take positive numbers');

// The load: moderate on purpose (a 2-core machine also runs PostgreSQL and this generator), so the server's
// event-loop delay measures the server, not a starved CPU. Rates are targets of paced loops, not closed loops.
const LOAD = {
  shoes: 150,
  users: 12,
  readLoops: 3,
  readsPerSecondEach: 15,
  writeLoops: 3,
  writesPerSecondEach: 5,
  adminPerSecond: 2,
  graphqlWsClients: 4,
  legacyClients: 3,
  clientLifetimeMs: [20_000, 45_000], // then it disconnects and reconnects, resuming after its last position
  slowReaderEveryMs: 10_000,
  slowPauseMs: [4_000, 15_000],
  neverReadersEach: 2, // per protocol, opened twice: early and at a third of the run
  heavyAliases: 25, // aliases of `sizes` per imported event on slow/never readers (as in test/cluster/hostile-sockets): bytes pile up fast when unread
  seedSizes: 1000, // per shoe: the history a never-reader replays is ~7 MB per heavy subscription, so its socket blocks at once
};
const EXPECTED_CODES = new Set(['CONFLICT', 'BAD_USER_INPUT', 'SUBSCRIPTION_LAGGED']);
const FAILURE_CODES = new Set(['INTERNAL_SERVER_ERROR', 'NO_CODE', 'HTTP_5XX', 'close 1011', 'close 4500']);

const log = (line) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const between = ([low, high]) => low + Math.random() * (high - low);

// ---------------------------------------------------------------- clean-up
const { cleanups, cleanup } = cleanUpOnExit(log);

// ---------------------------------------------------------------- counters
const stats = {
  reads: 0,
  writes: 0,
  hostile: 0,
  delivered: 0,
  reconnects: 0,
  socketsOpen: 0,
  socketsOpened: 0,
  errors: new Map(), // code (or "close N", "NETWORK", ...) -> count
  failureSamples: [],
  slow: { paused: 0, caughtUp: 0, lagged: 0, closed: 0 },
  never: { opened: 0, lagged: 0, closed: 0, stillOpen: 0, outcomes: new Map() },
  serverErrorLines: 0,
};
function countError(code, detail) {
  stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
  if (FAILURE_CODES.has(code) && stats.failureSamples.length < 5) stats.failureSamples.push(`${code}: ${String(detail).slice(0, 300)}`);
}
const codeOf = (error) => error?.extensions?.code ?? 'NO_CODE';
const NORMAL_CLOSES = new Set([1000, 1001, 1005]);

// ---------------------------------------------------------------- the run
async function main() {
  log(`building dist/ (tsc -p tsconfig.build.json)`);
  const build = spawnChild('build', path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], process.env);
  const built = await build.exited;
  if (built.code !== 0) throw new Error(`build failed\n${build.output()}`);
  const { mintToken } = require(path.join(ROOT, 'dist/auth/jwt.js'));

  const jwtSecret = randomBytes(32).toString('hex');
  const port = await freePort();
  const serverEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|EMBEDDED_POSTGRES_\w+|PORT|HOST|NODE_ENV|LOG_\w+|JWT_SECRET|RATE_LIMIT_\w+|WS_\w+|FEED_\w+)$/.test(k))),
    NODE_ENV: 'production',
    JWT_SECRET: jwtSecret,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
    WS_MAX_SOCKETS_PER_ADDRESS: '0', // every client here comes from 127.0.0.1
  };
  const database = await freshDatabase({ prefix: 'tts_soak', serverEnv, cleanups, log });
  const where = database.kind === 'embedded' ? `embedded in ${database.dir}` : `${database.name} on DATABASE_URL's server`;
  log(`starting the server (node dist/main.js) on port ${port}; database: ${where}`);
  const server = spawnChild('server', process.execPath, [path.join(ROOT, 'dist/main.js')], serverEnv);
  let stopping = false;
  const crashed = () => !stopping && (server.child.exitCode !== null || server.child.signalCode !== null);
  // Error-level log lines (JSON format): a crash or an unexpected error leaves one; counted, printed at the end.
  const countErrorLines = (chunk) => (stats.serverErrorLines += (String(chunk).match(/"level":"error"/g) ?? []).length);
  server.child.stdout.on('data', countErrorLines);
  server.child.stderr.on('data', countErrorLines);
  cleanups.push(async () => {
    stopping = true;
    await server.stop();
    log('server stopped');
  });
  await waitFor('server', async () => (await request(undefined, port, 'GET', '/health/ready')).status === 200, 120_000, server);
  log(`server pid ${server.pid} ready`);

  const agent = makeAgent(32);
  cleanups.push(() => agent.destroy());
  const gql = async (query, variables, token) => {
    const res = await request(agent, port, 'POST', '/graphql', { query, variables }, token ? { authorization: `Bearer ${token}` } : {});
    if (res.status >= 500) countError('HTTP_5XX', `${res.status} ${res.text}`);
    let json;
    try {
      json = JSON.parse(res.text);
    } catch {
      countError('NO_CODE', `unparseable response ${res.status}: ${res.text}`);
      return {};
    }
    for (const error of json.errors ?? []) countError(codeOf(error), JSON.stringify(error));
    return json;
  };
  const token = (sub, roles = []) => mintToken({ sub, roles, expiresInSeconds: 3600 * 24 }, jwtSecret);
  const admin = await token('soak-admin', ['admin']);
  const users = await Promise.all(Array.from({ length: LOAD.users }, (_, i) => token(`soak-user-${i}`)));

  // Seed: shoes in a few brands, one import each (history for the never-readers' replays).
  const runId = randomUUID().slice(0, 8);
  const brands = ['Asics', 'Brooks', 'Hoka', 'Nike', 'Saucony'];
  const shoeIds = [];
  log(`seeding ${LOAD.shoes} shoes`);
  for (let i = 0; i < LOAD.shoes; i++) {
    const created = await gql(CREATE, { name: `Soak ${runId} ${i}`, brand: brands[i % brands.length] }, admin);
    const id = created.data?.createShoe?.id;
    if (!id) throw new Error(`seeding failed: ${JSON.stringify(created).slice(0, 500)}`);
    shoeIds.push(id);
    await gql(IMPORT, { id, sizes: sizesOf(LOAD.seedSizes), key: null }, admin);
  }
  const firstPosition = (await gql('{ events(first: 1) { edges { node { position } } } }')).data.events.edges[0].node.position;

  // ------------------------------------------------------------ the timed part
  const started = performance.now();
  const deadline = started + MINUTES * 60_000;
  const running = () => performance.now() < deadline && !crashed();
  const url = `ws://127.0.0.1:${port}/graphql`;
  const world = { gql, admin, users, shoeIds, brands, runId, url, running, firstPosition, deadline };

  const samples = []; // every 2 s: RSS; every interval: the printed line's numbers too
  let last = { at: started, reads: 0, writes: 0, delivered: 0 };
  let peakRss = 0;
  const sampler = setInterval(() => {
    if (crashed()) return;
    const rss = rssMb(server.pid);
    peakRss = Math.max(peakRss, rss);
    samples.push({ t: (performance.now() - started) / 1000, rss });
  }, 2_000);
  const metricsLines = [];
  const printer = setInterval(() => void intervalLine().catch((error) => log(`interval line failed: ${error.message}`)), INTERVAL_SECONDS * 1000);
  async function intervalLine() {
    if (crashed()) return log('the server is gone');
    const now = performance.now();
    const seconds = (now - last.at) / 1000;
    const m = await scrapeMetrics(port);
    const rss = rssMb(server.pid);
    const line = {
      t: Math.round((now - started) / 1000),
      rss,
      heap: m.heapUsedMb,
      loopP99: m.loopP99Ms,
      loopMax: m.loopMaxMs,
      reqPerSecond: (stats.reads + stats.writes - last.reads - last.writes) / seconds,
      delivered: stats.delivered - last.delivered,
      sockets: stats.socketsOpen,
      subscriptions: m.subscriptions,
    };
    metricsLines.push(line);
    last = { at: now, reads: stats.reads, writes: stats.writes, delivered: stats.delivered };
    const errors = [...stats.errors].map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
    log(
      `t=${String(line.t).padStart(4)} s | rss ${line.rss.toFixed(0)} MB, heap ${fmt(line.heap)} MB, loop delay p99 ${fmt(line.loopP99)} ms max ${fmt(line.loopMax)} ms | ` +
        `${line.reqPerSecond.toFixed(0)} req/s, ${line.delivered} events delivered | sockets ${line.sockets} (server: ${m.subscriptions} subscriptions) | errors: ${errors}`,
    );
  }

  log(`soaking for ${MINUTES} min; a line every ${INTERVAL_SECONDS} s`);
  const loops = [
    ...Array.from({ length: LOAD.readLoops }, () => paced(LOAD.readsPerSecondEach, running, () => readOnce(world))),
    ...Array.from({ length: LOAD.writeLoops }, () => paced(LOAD.writesPerSecondEach, running, () => writeOnce(world))),
    paced(LOAD.adminPerSecond, running, () => adminOnce(world)),
    ...Array.from({ length: LOAD.graphqlWsClients }, (_, i) => reconnectingGraphqlWs(world, i)),
    ...Array.from({ length: LOAD.legacyClients }, (_, i) => reconnectingLegacy(world, i)),
    slowReaders(world),
  ];
  const neverReaders = neverReaderWaves(world);
  await Promise.all(loops);
  clearInterval(printer);
  clearInterval(sampler);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const finalMetrics = crashed() ? {} : await scrapeMetrics(port);
  const endRss = crashed() ? NaN : rssMb(server.pid);
  log(`load stopped after ${elapsedSeconds.toFixed(0)} s; reading the never-readers' backlog`);
  const never = await neverReaders;
  await never.check();
  const wasCrashed = crashed();
  report({ samples, metricsLines, elapsedSeconds, wasCrashed, server, finalMetrics, endRss, peakRss });
}

// ---------------------------------------------------------------- operations
const SHOE_FIELDS = 'id name brand version trueToSize { average count distribution { size count } }';
const CREATE = 'mutation C($name: String!, $brand: String) { createShoe(input: { name: $name, brand: $brand }) { id } }';
const IMPORT = 'mutation I($id: ID!, $sizes: [Int!]!, $key: String) { importTrueToSizes(input: { shoeId: $id, sizes: $sizes, idempotencyKey: $key }) { id version } }';
const SUBMIT = 'mutation S($id: ID!, $size: Int!) { submitTrueToSize(input: { shoeId: $id, size: $size }) { id version } }';
const RETRACT = 'mutation R($id: ID!) { retractTrueToSize(input: { shoeId: $id }) { id version } }';
const RENAME = 'mutation N($id: ID!, $name: String!, $v: Int) { renameShoe(input: { id: $id, name: $name, expectedVersion: $v }) { id version } }';
const SHOE = `query One($id: ID!) { shoe(id: $id) { ${SHOE_FIELDS} } }`;
const SHOES = `query Many($first: Int, $after: String, $search: String, $order: ShoeOrder) {
  shoes(first: $first, after: $after, search: $search, orderBy: $order) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${SHOE_FIELDS} } } } }`;
const EVENTS = `query Log($first: Int, $after: String, $shoeId: ID) {
  events(first: $first, after: $after, shoeId: $shoeId) { pageInfo { hasNextPage endCursor } edges { node { __typename position shoeId version } } } }`;
const EVENT_FIELDS = '__typename position shoeId version ... on TrueToSizeSubmitted { size previousSize } ... on TrueToSizesImported { sizes }';
const SHOE_EVENTS = `subscription E($shoeId: ID, $after: String) { shoeEvents(shoeId: $shoeId, after: $after) { ${EVENT_FIELDS} } }`;
const SHOE_CHANGED = `subscription Ch($id: ID) { shoeChanged(id: $id) { ${SHOE_FIELDS} } }`;
const HEAVY_EVENTS = `subscription H($after: String) { shoeEvents(after: $after) { __typename position shoeId version
  ... on TrueToSizesImported { ${Array.from({ length: LOAD.heavyAliases }, (_, i) => `s${i}: sizes`).join(' ')} } } }`;

const sizesOf = (n) => Array.from({ length: n }, () => 1 + Math.floor(Math.random() * 5));

async function readOnce({ gql, shoeIds, brands }) {
  const roll = Math.random();
  if (roll < 0.02) {
    // A hostile read now and then: must come back BAD_USER_INPUT, never INTERNAL_SERVER_ERROR.
    stats.hostile++;
    stats.reads++;
    return Math.random() < 0.5 ? gql(SHOES, { first: 5, after: 'Zm9yZ2Vk' }) : gql(SHOES, { first: 5, search: 'a\u0000b' });
  }
  if (roll < 0.4) {
    stats.reads++;
    return gql(SHOE, { id: pick(shoeIds) });
  }
  if (roll < 0.75) {
    // A search, then up to two more pages.
    let variables = { first: 1 + Math.floor(Math.random() * 30), search: Math.random() < 0.6 ? pick(brands).slice(0, 3).toLowerCase() : undefined, order: pick(['NAME_ASC', 'CREATED_AT_DESC', 'MOST_RATED']) };
    for (let page = 0; page < 3; page++) {
      stats.reads++;
      const r = await gql(SHOES, variables);
      const info = r.data?.shoes?.pageInfo;
      if (!info?.hasNextPage) return;
      variables = { ...variables, after: info.endCursor };
    }
    return;
  }
  stats.reads++;
  const r = await gql(EVENTS, { first: 1 + Math.floor(Math.random() * 200), shoeId: Math.random() < 0.5 ? pick(shoeIds) : undefined });
  const cursor = r.data?.events?.pageInfo?.endCursor;
  if (cursor) {
    stats.reads++;
    await gql(EVENTS, { first: 50, after: cursor });
  }
}

async function writeOnce({ gql, users, shoeIds }) {
  stats.writes++;
  const user = pick(users);
  const id = pick(shoeIds);
  if (Math.random() < 0.8) return gql(SUBMIT, { id, size: 1 + Math.floor(Math.random() * 5) }, user);
  return gql(RETRACT, { id }, user);
}

/** The admin: imports (some retried with their key, some heavy), now and then a new shoe or a rename. */
const keyed = new Map(); // idempotencyKey -> its variables, retried as they were
async function adminOnce({ gql, admin, shoeIds, runId, brands }) {
  stats.writes++;
  const roll = Math.random();
  if (roll < 0.1 && keyed.size) return gql(IMPORT, pick([...keyed.values()]), admin);
  if (roll < 0.6) {
    const variables = { id: pick(shoeIds), sizes: sizesOf(Math.random() < 0.2 ? 1000 : 1 + Math.floor(Math.random() * 50)), key: null };
    if (Math.random() < 0.3 && keyed.size < 200) keyed.set((variables.key = randomUUID()), variables);
    return gql(IMPORT, variables, admin);
  }
  if (roll < 0.8) {
    const r = await gql(CREATE, { name: `Soak ${runId} new ${randomUUID().slice(0, 8)}`, brand: pick(brands) }, admin);
    if (r.data?.createShoe) shoeIds.push(r.data.createShoe.id);
    return;
  }
  // A rename with the version just read: a rating in between makes it a CONFLICT, which is expected.
  const id = pick(shoeIds);
  stats.reads++;
  const read = await gql(SHOE, { id });
  const shoe = read.data?.shoe;
  if (shoe) await gql(RENAME, { id, name: `${shoe.name.replace(/ r\d+$/, '')} r${shoe.version}`, v: shoe.version }, admin);
}

/** Calls `op` about `ratePerSecond` times a second until `running()` is false; never bursts to catch up. */
async function paced(ratePerSecond, running, op) {
  const period = 1000 / ratePerSecond;
  let next = performance.now() + Math.random() * period;
  while (running()) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else next = performance.now();
    next += period;
    if (!running()) break;
    try {
      await op();
    } catch (error) {
      countError('NETWORK', error instanceof Error ? error.message : String(error));
    }
  }
}

// ---------------------------------------------------------------- subscriptions
/** A graphql-ws (graphql-transport-ws) client of the library; reconnects every 20-45 s, resuming after its last position. */
async function reconnectingGraphqlWs({ url, running, shoeIds }, index) {
  let after;
  while (running()) {
    let opened = false;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: {
        opened: () => {
          opened = true;
          stats.socketsOpen++;
          stats.socketsOpened++;
        },
        closed: (event) => {
          if (opened) stats.socketsOpen--;
          opened = false;
          if (event?.code && !NORMAL_CLOSES.has(event.code)) countError(`close ${event.code}`, event.reason);
        },
      },
    });
    const subscribe = (query, variables, onData) =>
      client.subscribe(
        { query, variables },
        {
          next: (result) => {
            for (const error of result.errors ?? []) countError(codeOf(error), JSON.stringify(error));
            if (!result.data) return;
            stats.delivered++;
            onData?.(result.data);
          },
          error: (error) => {
            if (Array.isArray(error)) for (const e of error) countError(codeOf(e), JSON.stringify(e));
            else if (!(error && typeof error.code === 'number')) countError('NETWORK', error instanceof Error ? error.message : String(error));
          },
          complete: () => undefined,
        },
      );
    const stops = [
      subscribe(SHOE_EVENTS, { after }, (data) => (after = data.shoeEvents.position)),
      subscribe(SHOE_EVENTS, { shoeId: shoeIds[index % shoeIds.length] }),
      subscribe(SHOE_CHANGED, { id: shoeIds[(index * 7) % shoeIds.length] }),
    ];
    await sleepWhile(running, between(LOAD.clientLifetimeMs));
    for (const stop of stops) stop();
    await client.dispose();
    stats.reconnects++;
  }
}

/**
 * A raw socket on either protocol (`legacy`: subscriptions-transport-ws, subprotocol 'graphql-ws'; else
 * graphql-transport-ws), subscribing `subscriptions` ({ id, query, variables }) once acknowledged.
 */
function rawSubscriber(url, legacy, subscriptions, onData) {
  const ws = new WebSocket(url, legacy ? 'graphql-ws' : 'graphql-transport-ws');
  const state = { ws, legacy, neverReader: false, open: false, ended: new Map(), closedWith: null, delivered: 0, lagged: false };
  const send = (message) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const start = (s) => send({ id: s.id, type: legacy ? 'start' : 'subscribe', payload: { query: s.query, variables: s.variables } });
  const errorsOf = (id, errors) => {
    for (const error of errors) {
      const code = codeOf(error);
      countError(code, JSON.stringify(error));
      if (code !== 'SUBSCRIPTION_LAGGED') continue;
      state.lagged = true;
      state.ended.set(id, code);
    }
  };
  ws.on('open', () => {
    state.open = true;
    stats.socketsOpen++;
    stats.socketsOpened++;
    send({ type: 'connection_init', payload: {} });
  });
  ws.on('message', (raw) => {
    const message = JSON.parse(String(raw));
    const id = message.id;
    switch (message.type) {
      case 'connection_ack':
        for (const s of subscriptions) start(s);
        break;
      case 'ping':
        send({ type: 'pong' });
        break;
      case 'data':
      case 'next':
        errorsOf(id, message.payload?.errors ?? []);
        if (!message.payload?.data) break;
        stats.delivered++;
        state.delivered++;
        onData?.(id, message.payload.data);
        break;
      case 'error':
        errorsOf(id, Array.isArray(message.payload) ? message.payload : [message.payload]);
        state.ended.set(id, state.ended.get(id) ?? 'error');
        break;
      case 'complete':
        state.ended.set(id, state.ended.get(id) ?? 'complete');
        break;
      case 'connection_error':
        errorsOf(id, [message.payload]);
        break;
      default: // 'ka' (legacy keep-alive), 'pong'
    }
  });
  ws.on('error', (error) => countError('NETWORK', error.message));
  ws.on('close', (code, reason) => {
    if (state.open) stats.socketsOpen--;
    state.open = false;
    state.closedWith = code;
    // A never-reader closed by the server is the outcome it waits for, not an error (counted with it).
    if (!NORMAL_CLOSES.has(code) && !state.neverReader) countError(`close ${code}`, String(reason));
  });
  return Object.assign(state, {
    opened: new Promise((resolve) => ws.once('open', () => resolve(true)).once('error', () => resolve(false))),
    start,
    stop: (id) => send({ id, type: legacy ? 'stop' : 'complete' }),
    close: () => {
      if (legacy) send({ type: 'connection_terminate' });
      ws.close(1000);
    },
  });
}

/** A legacy (subscriptions-transport-ws) client: reconnects every 20-45 s; stops and restarts one subscription now and then. */
async function reconnectingLegacy({ url, running, shoeIds }, index) {
  let after;
  while (running()) {
    const subs = [
      { id: 'all', query: SHOE_EVENTS, variables: { after } },
      { id: 'one', query: SHOE_EVENTS, variables: { shoeId: shoeIds[(index + 3) % shoeIds.length] } },
      { id: 'changed', query: SHOE_CHANGED, variables: {} },
    ];
    const socket = rawSubscriber(url, true, subs, (id, data) => id === 'all' && (after = data.shoeEvents.position));
    if (!(await socket.opened)) {
      await sleepWhile(running, 1000);
      continue;
    }
    const until = performance.now() + between(LOAD.clientLifetimeMs);
    let current = 'one';
    for (let n = 0; running() && performance.now() < until; n++) {
      await sleepWhile(running, 5_000);
      // `stop`, then `start` again under a fresh id at once (the server used to lose a stop sent right after start).
      socket.stop(current);
      current = `one-${n}`;
      socket.start({ id: current, query: SHOE_EVENTS, variables: { shoeId: pick(shoeIds) } });
    }
    socket.close();
    stats.reconnects++;
  }
}

/** Every 10 s, a socket (protocols alternating) that pauses reading 4-15 s, then reads on for 10 s and leaves. */
async function slowReaders({ url, running }) {
  const readers = [];
  for (let n = 0; running(); n++) {
    readers.push(
      (async () => {
        const socket = rawSubscriber(url, n % 2 === 0, [
          { id: 'heavy', query: HEAVY_EVENTS, variables: {} },
          { id: 'changed', query: SHOE_CHANGED, variables: {} },
        ]);
        if (!(await socket.opened)) return;
        await sleepWhile(running, 1000);
        if (!running()) return socket.close();
        socket.ws.pause(); // stops reading the TCP socket (ws: this._socket.pause())
        stats.slow.paused++;
        // Bounded by the deadline too; one cut short still had its pause, and is counted as it ends.
        await sleepWhile(running, between(LOAD.slowPauseMs));
        socket.ws.resume();
        await sleepWhile(running, 10_000);
        await sleep(200); // what was read on resuming is handled
        if (socket.closedWith !== null) stats.slow.closed++;
        else if (socket.lagged) stats.slow.lagged++;
        else stats.slow.caughtUp++;
        socket.close();
      })(),
    );
    await sleepWhile(running, LOAD.slowReaderEveryMs);
  }
  await Promise.all(readers);
}

/**
 * Never-readers: sockets (both protocols) that replay the whole log with heavy results and stop reading at once,
 * early and at a third of the run. At the end they read again: each must find its subscriptions ended with
 * SUBSCRIPTION_LAGGED, or the socket closed. One the server never had reason to end (its backlog still fits the
 * kernel's buffers, the socket's 256 kB and the subscriber queue) is reported, not failed. On graphql-ws, the
 * library's keep-alive terminates a socket that answers no ping (a paused reader cannot): closed 1006 within ~25 s.
 * The legacy protocol's keep-alive is a message, not a ping, so there only SUBSCRIPTION_LAGGED ends it.
 */
async function neverReaderWaves({ url, running, firstPosition, deadline }) {
  const sockets = [];
  const wave = async () => {
    for (let i = 0; i < LOAD.neverReadersEach * 2; i++) {
      const socket = rawSubscriber(url, i % 2 === 0, [
        { id: 'heavy', query: HEAVY_EVENTS, variables: { after: firstPosition } },
        { id: 'heavy-live', query: HEAVY_EVENTS, variables: {} },
      ]);
      socket.neverReader = true;
      if (!(await socket.opened)) continue;
      // A client subscribes only once acknowledged: the first message is the ack (the subscribes go out on it).
      await new Promise((resolve) => socket.ws.once('message', resolve));
      await sleep(200);
      socket.ws.pause();
      stats.never.opened++;
      sockets.push(socket);
    }
  };
  await sleepWhile(running, 5_000);
  if (running()) await wave();
  await sleepWhile(running, Math.max(0, (deadline - performance.now()) / 3 - 5_000));
  if (running()) await wave();
  return {
    check: async () => {
      for (const socket of sockets) socket.ws.resume();
      // Reading what piled up: an ended subscription shows up at once after the backlog.
      const until = performance.now() + 15_000;
      while (performance.now() < until && !sockets.every((s) => s.closedWith !== null || (s.ended.has('heavy') && s.ended.has('heavy-live')))) await sleep(100);
      for (const socket of sockets) {
        const outcome = socket.closedWith !== null ? `closed ${socket.closedWith}` : socket.lagged ? 'SUBSCRIPTION_LAGGED' : 'not ended';
        const key = `${socket.legacy ? 'legacy' : 'graphql-ws'} ${outcome}`;
        stats.never.outcomes.set(key, (stats.never.outcomes.get(key) ?? 0) + 1);
        if (socket.closedWith !== null) stats.never.closed++;
        else if (socket.lagged) stats.never.lagged++;
        else stats.never.stillOpen++;
        socket.close();
      }
    },
  };
}

async function sleepWhile(running, ms) {
  const until = performance.now() + ms;
  while (running() && performance.now() < until) await sleep(Math.min(500, until - performance.now()));
}

// ---------------------------------------------------------------- measurements and report
async function scrapeMetrics(port) {
  const text = (await request(undefined, port, 'GET', '/metrics')).text;
  const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsedMb: value('tts_nodejs_heap_size_used_bytes') / 2 ** 20,
    // prom-client's event-loop delay histogram restarts at every scrape: these cover the last interval.
    loopP99Ms: value('tts_nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: value('tts_nodejs_eventloop_lag_max_seconds') * 1000,
    subscriptions: value('tts_subscriptions_active'),
  };
}

/** Least-squares slope of RSS (MB) over time, in MB per minute. */
function slopePerMinute(points) {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mr = points.reduce((a, p) => a + p.rss, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.rss - mr), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return (num / den) * 60;
}

function fmt(x) {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function report({ samples, metricsLines, elapsedSeconds, wasCrashed, server, finalMetrics, endRss, peakRss }) {
  const half = elapsedSeconds / 2;
  const firstHalf = samples.filter((s) => s.t <= half);
  const lastHalf = samples.filter((s) => s.t > half);
  const firstSlope = slopePerMinute(firstHalf);
  const lastSlope = slopePerMinute(lastHalf);
  // Levelled off: the last half grows under 2 MB/min, or under a fifth of the warm-up's growth rate.
  const levelled = lastSlope <= Math.max(2, 0.2 * firstSlope);
  const failures = [...stats.errors].filter(([code]) => FAILURE_CODES.has(code));
  const expected = [...stats.errors].filter(([code]) => EXPECTED_CODES.has(code));
  const other = [...stats.errors].filter(([code]) => !FAILURE_CODES.has(code) && !EXPECTED_CODES.has(code));
  const list = (entries) => entries.map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  const maxOf = (key) => Math.max(...metricsLines.map((l) => l[key]).filter((x) => !Number.isNaN(x)));
  const rows = [
    ['duration', `${(elapsedSeconds / 60).toFixed(1)} min`],
    ['requests (HTTP)', `${stats.reads} reads + ${stats.writes} writes = ${((stats.reads + stats.writes) / elapsedSeconds).toFixed(0)}/s (${stats.hostile} hostile reads)`],
    ['events delivered (both protocols)', `${stats.delivered} (${(stats.delivered / elapsedSeconds).toFixed(0)}/s)`],
    ['sockets opened / reconnects', `${stats.socketsOpened} / ${stats.reconnects}`],
    ['slow readers (paused 4-15 s)', `${stats.slow.paused}: ${stats.slow.caughtUp} caught up, ${stats.slow.lagged} SUBSCRIPTION_LAGGED, ${stats.slow.closed} closed`],
    ['never-readers', `${stats.never.opened}: ${stats.never.lagged} SUBSCRIPTION_LAGGED, ${stats.never.closed} closed, ${stats.never.stillOpen} not ended (${list([...stats.never.outcomes])})`],
    ['RSS first sample / peak / end', `${fmt(samples[0]?.rss)} / ${fmt(peakRss)} / ${fmt(endRss)} MB`],
    ['RSS slope first half / last half', `${fmt(firstSlope)} / ${fmt(lastSlope)} MB/min`],
    ['heap used at end / max of intervals', `${fmt(finalMetrics.heapUsedMb)} / ${fmt(maxOf('heap'))} MB`],
    // prom-client samples the delay at 10 ms resolution: ~10-13 ms is its floor even on an idle server.
    ['event-loop delay p99 (worst interval) / max', `${fmt(maxOf('loopP99'))} / ${fmt(maxOf('loopMax'))} ms (floor ~10 ms: 10 ms sampling)`],
    ['errors expected (CONFLICT, BAD_USER_INPUT, LAGGED)', list(expected)],
    ['errors failing the run', list(failures)],
    ['other errors', list(other)],
    ['server error log lines', String(stats.serverErrorLines)],
    ['server crashed', wasCrashed ? 'YES' : 'no'],
  ];
  console.log(`\n## Soak: ${(elapsedSeconds / 60).toFixed(1)} min, ${os.cpus().length} cores\n`);
  console.log('| measure | value |');
  console.log('| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(
    `\nMemory: RSS grew ${fmt(firstSlope)} MB/min over the first half and ${fmt(lastSlope)} MB/min over the last half ` +
      `(${firstHalf.length} and ${lastHalf.length} samples): ${levelled ? 'levelled off after warm-up' : 'NOT levelled off yet (a longer run tells warm-up from a leak)'} ` +
      '(rule: last half under 2 MB/min or under a fifth of the first half; a judgement, not part of the exit code).',
  );
  for (const sample of stats.failureSamples) console.log(`- failure sample: ${sample}`);
  const failed = wasCrashed || failures.length > 0;
  if (wasCrashed) console.log(`\nThe server crashed; its last output:\n${server.output()}`);
  console.log(`\nVerdict: ${failed ? 'FAIL' : 'pass'} (fails on INTERNAL_SERVER_ERROR, an error without a code, a 5xx, a socket closed with 1011/4500, or a crash)`);
  process.exitCode = failed ? 1 : 0;
}

runScript('soak', main, cleanup);
