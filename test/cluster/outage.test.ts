import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { CreateShoeDocument, ShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk } from '../support/graphql-client';
import { checkProjections } from '../support/projection-check';
import { freePort, ServerProcess, startServerProcess, stopAllServerProcesses } from '../support/server-process';
import { adminToken, attempt, reachableTempDir, readLog, readLogUntil, report, sleep, subscribe, userToken } from './cluster-kit';

/**
 * A PostgreSQL restart while a server runs (issue 3, item 4). The test owns the cluster (whatever DATABASE_URL
 * says), so it can stop and start it on the same dir and port: the server must notice (readiness 503, mutations
 * failing fast with SERVICE_UNAVAILABLE, liveness still 200) and recover by itself once it is back, and a
 * subscriber open across the outage must end up, after resuming with `after:`, with every event exactly once.
 */
let root: string;
let dir: string;
let port: number;
let pg: EmbeddedPostgresHandle | undefined;
let server: ServerProcess;
const clients: Client[] = [];

beforeAll(async () => {
  root = reachableTempDir('tts-outage-');
  dir = path.join(root, 'data');
  port = await freePort();
  pg = await startCluster();
  server = await startServerProcess({ env: { DATABASE_URL: pg.url } });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stopAllServerProcesses();
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

it('goes 503 and fails mutations fast with SERVICE_UNAVAILABLE while PostgreSQL is down, and recovers without a restart', async () => {
  const admin = await adminToken();
  const shoe = (await gqlOk(server.httpUrl, CreateShoeDocument, { input: { name: 'Outage', brand: 'Cluster' } }, admin)).createShoe;
  const start = (await readLogUntil(server.httpUrl, 1)).at(-1)!.position;
  const subscriber = subscribe(server.wsUrl, { after: start }, clients);
  await rate(shoe.id, 'before', 10);
  await subscriber.waitFor(10);

  // Down.
  const stoppedAt = Date.now();
  await pg!.stop();
  pg = undefined;
  await eventually(async () => expect(await status('/health/ready')).toBe(503), 10_000);
  const notReadyAfter = Date.now() - stoppedAt;
  expect(await status('/health/live')).toBe(200);
  const asked = Date.now();
  // attempt() aborts after 10 s: an answer at all means the request did not hang on the dead pool.
  const during = await attempt(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 3 } }, await userToken('outage-during'), 10_000);
  const failedIn = Date.now() - asked;
  expect(during.codes).toEqual(['SERVICE_UNAVAILABLE']);
  expect(during.errors[0].message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|password/); // nothing internal leaks
  const read = await attempt(server.httpUrl, ShoeDocument, { id: shoe.id }, undefined, 10_000);
  expect(read.codes).toEqual(['SERVICE_UNAVAILABLE']);
  // A subscription opened now cannot replay: it ends with an error that says to retry (and what to resume from
  // is the client's own last position).
  const openedDuringOutage = subscribe(server.wsUrl, { after: start }, clients);
  await eventually(() => expect(openedDuringOutage.ended).not.toBeNull(), 10_000);
  expect(openedDuringOutage.errors.map((e) => [e.extensions?.code, e.message])).toEqual([['SERVICE_UNAVAILABLE', expect.not.stringMatching(/ECONNREFUSED|127\.0\.0\.1/)]]);
  expect(await status('/health/live')).toBe(200);

  // Back, on the same dir and port; the server is the same process.
  const restartedAt = Date.now();
  pg = await startCluster();
  await eventually(async () => expect(await status('/health/ready')).toBe(200), 30_000);
  const readyAfter = Date.now() - restartedAt;
  await rate(shoe.id, 'after', 10);

  // The subscriber either kept going (the feed read the new events once it could) or was ended with an error.
  const log = await readLogUntil(server.httpUrl, 20, start);
  expect(log).toHaveLength(20);
  await eventually(() => expect(subscriber.ended !== null || subscriber.events.length >= 20).toBe(true), 20_000);
  const keptGoing = subscriber.ended === null;
  subscriber.stop();
  // Either way, resuming after the last position it saw completes the log: every event exactly once, in order.
  const lastSeen = subscriber.events.at(-1)?.position ?? start;
  const resumed = subscribe(server.wsUrl, { after: lastSeen }, clients);
  await rate(shoe.id, 'resumed', 5);
  const full = await readLogUntil(server.httpUrl, 25, start);
  await resumed.waitFor(25 - subscriber.events.length);
  await sleep(300); // nothing more trails behind
  expect([...subscriber.events, ...resumed.events].map((e) => e.position)).toEqual(full.map((e) => e.position));
  expect(resumed.errors).toEqual([]);

  expect((await readLog(server.httpUrl)).length).toBe(26);
  const check = await checkProjections(pg.url);
  expect(check.differences).toEqual([]);
  report(
    `outage: /health/ready 503 ${notReadyAfter} ms after the stop; a mutation failed with SERVICE_UNAVAILABLE in ${failedIn} ms; ` +
      `ready again ${readyAfter} ms after the restart; the open subscriber ${keptGoing ? 'kept going' : `ended (${JSON.stringify(subscriber.errors)})`}`,
  );
});

/** `count` users each rate the shoe once (each a new rating: one event each), all must succeed. */
async function rate(shoeId: string, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId, size: (i % 5) + 1 } }, await userToken(`${prefix}-${i}`));
  }
}

function startCluster(): Promise<EmbeddedPostgresHandle> {
  return startEmbeddedPostgres({ dir, port, persistent: true, log: () => undefined });
}

async function status(endpoint: string): Promise<number> {
  return (await fetch(`${server.baseUrl}${endpoint}`, { signal: AbortSignal.timeout(10_000) })).status;
}

/** Retries `check` until it passes or `ms` run out (then its last failure is the test's). */
async function eventually(check: () => unknown, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}
