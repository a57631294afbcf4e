import type { Client } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import { MIGRATIONS } from '../../src/database/data-source-options';
import { CreateShoeDocument, SubmitTrueToSizeDocument } from '../generated/graphql';
import { gqlOk } from '../support/graphql-client';
import { checkProjections } from '../support/projection-check';
import { ServerProcess, spawnServerProcess, stopAllServerProcesses, waitUntilReady } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { adminToken, readLogUntil, report, sleep, subscribe, Subscriber, userToken } from './cluster-kit';

/**
 * Scale-out (issue 3, items 1, 2 and 8): three real server processes on one PostgreSQL database, nothing else
 * shared. They start at the same moment on an empty database, so their migrations race (the advisory lock must
 * make exactly one of them run each migration); then writes go through all three while a subscriber on each
 * must see every event exactly once, in the log's one order, whichever instance committed it.
 */
const SHOES = 20;
const USERS = 50;

let db: TestDatabase;
let servers: ServerProcess[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  db = await createTestDatabase('tts_scale');
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stopAllServerProcesses();
  await db?.drop();
});

it('three instances started at the same moment on an empty database migrate it exactly once and all become ready', async () => {
  // LOG_LEVEL=info: the instance that migrates logs "migrations applied", the others have nothing to apply.
  const env = { DATABASE_URL: db.url, LOG_LEVEL: 'info' };
  servers = await Promise.all([0, 1, 2].map(() => spawnServerProcess({ env })));
  await Promise.all(servers.map((server) => waitUntilReady(server)));

  const rows = await query<{ name: string; runs: number }>(db.url, 'SELECT name, count(*)::int AS runs FROM migrations GROUP BY name ORDER BY name');
  expect(rows).toEqual(MIGRATIONS.map((migration) => ({ name: migration.name, runs: 1 })).sort((a, b) => a.name.localeCompare(b.name)));
  const migrators = servers.filter((server) => server.output().includes('migrations applied'));
  expect(migrators).toHaveLength(1);
});

it('a subscriber on each instance receives every event written through all three, exactly once and in log order', async () => {
  expect(servers).toHaveLength(3); // needs the instances of the test above
  const admin = await adminToken();
  const shoes = await Promise.all(
    Array.from({ length: SHOES }, (_, i) =>
      gqlOk(servers[i % 3].httpUrl, CreateShoeDocument, { input: { name: `Scale ${i}`, brand: 'Cluster' } }, admin).then((r) => r.createShoe),
    ),
  );
  // Subscribing after the last creation makes the start deterministic (no "is it open yet?" sleep): the
  // subscription replays whatever follows that position, then goes live on its own instance's feed.
  const start = (await readLogUntil(servers[0].httpUrl, SHOES)).at(-1)!.position;
  const subscribers: Subscriber[] = servers.map((server) => subscribe(server.wsUrl, { after: start }, clients));

  // 50 users, each rating all 20 shoes then changing every other rating: 1,500 events, each through the next
  // instance in turn, 50 requests in flight at any time; every mutation that succeeds appends exactly one event.
  const users = await Promise.all(Array.from({ length: USERS }, (_, u) => userToken(`scale-user-${u}`)));
  let turn = 0;
  const began = Date.now();
  const acknowledged = await Promise.all(
    users.map(async (user, u) => {
      const versions: { shoeId: string; version: number }[] = [];
      for (const round of [0, 1]) {
        for (let k = 0; k < SHOES; k++) {
          if (round === 1 && k % 2 === 1) continue;
          const shoe = shoes[(u + k) % SHOES];
          const size = ((u + k + round) % 5) + 1; // round 1 changes the value, so it appends
          const server = servers[turn++ % 3];
          const { submitTrueToSize } = await gqlOk(server.httpUrl, SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size } }, user);
          versions.push({ shoeId: shoe.id, version: submitTrueToSize.version });
        }
      }
      return versions;
    }),
  ).then((perUser) => perUser.flat());
  const wrote = Date.now() - began;
  const expected = acknowledged.length;
  expect(expected).toBe(USERS * SHOES * 1.5);

  const log = await readLogUntil(servers[0].httpUrl, expected, start);
  expect(log).toHaveLength(expected);
  await Promise.all(subscribers.map((subscriber) => subscriber.waitFor(expected, 30_000)));
  const delivered = Date.now() - began;
  await sleep(500); // and nothing more arrives: no duplicates trailing behind
  for (const subscriber of subscribers) {
    expect(subscriber.errors).toEqual([]);
    expect(subscriber.events.map((e) => e.position)).toEqual(log.map((e) => e.position));
  }
  // Per shoe, the versions each subscriber saw are 2, 3, 4, ... (strictly increasing, no gap), and every
  // acknowledged write's version is among them.
  for (const subscriber of subscribers) {
    const byShoe = new Map<string, number[]>();
    for (const event of subscriber.events) byShoe.set(event.shoeId, [...(byShoe.get(event.shoeId) ?? []), event.version]);
    for (const versions of byShoe.values()) expect(versions).toEqual(versions.map((_, i) => i + 2));
  }
  const seen = new Set(subscribers[0].events.map((e) => `${e.shoeId}:${e.version}`));
  expect(acknowledged.filter((a) => !seen.has(`${a.shoeId}:${a.version}`))).toEqual([]);

  const check = await checkProjections(db.url);
  expect(check.differences).toEqual([]);
  report(
    `scale-out: ${expected} events through 3 instances by ${USERS} concurrent users in ${wrote} ms ` +
      `(${Math.round((expected * 1000) / wrote)}/s); all 3 subscribers had every event ${delivered} ms after the first write`,
  );
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}
