import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app';
import { rebuildShoeProjections } from '../../src/shoes/projections/shoe-projection.rebuild';
import {
  CreateShoeDocument,
  ImportTrueToSizesDocument,
  ShoeDocument,
  ShoeEventsDocument,
  SubmitTrueToSizeDocument,
} from '../generated/graphql';
import { collect, gqlOk, logOf, token, wsClient } from '../support/graphql-client';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * Event versioning end to end: a TrueToSizesImported stored in its v1 shape (`ratings: "1, 2,2 ,3"`,
 * see src/shoes/events/shoe-event.upcasters.ts) is appended to a real stream with SQL, as old code
 * left it, and must read in the current shape (`sizes`) through every path.
 */
let server: TestServer;
let other: INestApplication | undefined;
let admin: string;
const clients: { dispose(): void | Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = await token(server.settings.jwtSecret, 'admin', ['admin']);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await other?.close();
  await server?.close(); // also checks that the rebuild's fold equals the read model
});

const url = () => server.httpUrl;
const dataSource = () => server.app.get(DataSource);
const client = (wsUrl = server.wsUrl) => {
  const c = wsClient(wsUrl);
  clients.push(c);
  return c;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Appends a v1 row as the store would (same advisory lock key as LOCK_STREAMS in event-store.sql.ts,
 * the stream's version advanced, a NOTIFY for the feeds), but leaves the read model alone: the rebuild
 * brings it in line below.
 */
async function appendV1Import(shoeId: string, ratings: string): Promise<number> {
  return dataSource().transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('stream:' || $1::uuid::text, 0))`, [shoeId]);
    const [[{ version }]]: [{ version: number }[]] = await tx.query(
      `UPDATE event_streams SET version = version + 1 WHERE stream_id = $1 RETURNING version`,
      [shoeId],
    );
    await tx.query(
      `INSERT INTO events (stream_id, stream_type, version, type, schema_version, data, occurred_at)
       VALUES ($1, 'shoe', $2, 'TrueToSizesImported', 1, $3::jsonb, now())`,
      [shoeId, version, JSON.stringify({ shoeId, ratings })],
    );
    await tx.query(`SELECT pg_notify('tts_events', '')`);
    return version;
  });
}

it('an old-shape event reads in the current shape through events, shoeEvents (live and replay), the rebuild and shoe(id)', async () => {
  const shoe = (await gqlOk(url(), CreateShoeDocument, { input: { name: 'Versioned', brand: 'History' } }, admin)).createShoe;
  const [created] = await logOf(url(), shoe.id, 1);
  const live = collect(client(), ShoeEventsDocument, { shoeId: shoe.id });
  await sleep(300); // a subscription without `after` starts at the end of the log: let it open first

  expect(await appendV1Import(shoe.id, '1, 2,2 ,3')).toBe(2);
  const current = { __typename: 'TrueToSizesImported', shoeId: shoe.id, version: 2, sizes: [1, 2, 2, 3] };

  // 1. the `events` query (EventStore.readAll)
  const log = await logOf(url(), shoe.id, 2);
  expect(log.map((e) => e.node)).toEqual([expect.objectContaining({ __typename: 'ShoeCreated' }), expect.objectContaining(current)]);

  // 2. shoeEvents: live delivery from this instance's feed, and a replay after the creation
  expect((await live.waitFor(1))[0].data?.shoeEvents).toMatchObject(current);
  const replay = collect(client(), ShoeEventsDocument, { shoeId: shoe.id, after: created.cursor });
  expect((await replay.waitFor(1))[0].data?.shoeEvents).toMatchObject(current);

  // ...and a replay on a second instance started after the row, whose feed reads it from the store
  other = await createApp(server.settings, server.db.url);
  await other.listen(0, '127.0.0.1');
  const { port } = other.getHttpServer().address() as { port: number };
  const remote = collect(client(`ws://127.0.0.1:${port}/graphql`), ShoeEventsDocument, { shoeId: shoe.id, after: created.cursor });
  expect((await remote.waitFor(1))[0].data?.shoeEvents).toMatchObject(current);
  [live, replay, remote].forEach((s) => s.stop());

  // 3. the rebuild folds the upcast event: the read model, untouched by the SQL above, gets repaired
  const stale = (await gqlOk(url(), ShoeDocument, { id: shoe.id })).shoe;
  expect(stale).toMatchObject({ version: 1, trueToSize: { count: 0 } });
  const { differences } = await rebuildShoeProjections(dataSource());
  expect(differences).toEqual(
    expect.arrayContaining([
      `shoe ${shoe.id}: version is 1, the log says 2`,
      `shoe ${shoe.id}: rating_count is 0, the log says 4`,
      `shoe ${shoe.id}: rating_sum is 0, the log says 8`,
    ]),
  );
  expect((await rebuildShoeProjections(dataSource(), { dryRun: true })).differences).toEqual([]);

  // 4. shoe(id) shows it
  expect((await gqlOk(url(), ShoeDocument, { id: shoe.id })).shoe?.trueToSize).toEqual({
    average: 2,
    count: 4,
    distribution: [1, 2, 1, 0, 0].map((count, i) => ({ size: i + 1, count })),
  });
});

it('writes after an old-shape event fold on top of it, and new events are stored at the current schema version', async () => {
  const shoe = (await gqlOk(url(), CreateShoeDocument, { input: { name: 'Versioned later', brand: 'History' } }, admin)).createShoe;
  await appendV1Import(shoe.id, '5,5');
  await rebuildShoeProjections(dataSource());

  const rater = await token(server.settings.jwtSecret, 'rater');
  await gqlOk(url(), SubmitTrueToSizeDocument, { input: { shoeId: shoe.id, size: 2 } }, rater);
  const after = (await gqlOk(url(), ImportTrueToSizesDocument, { input: { shoeId: shoe.id, sizes: [3] } }, admin)).importTrueToSizes;
  expect(after).toMatchObject({ version: 4, trueToSize: { count: 4, average: 15 / 4 } });

  const stored: { version: number; schema_version: number }[] = await dataSource().query(
    `SELECT version, schema_version FROM events WHERE stream_id = $1 ORDER BY version`,
    [shoe.id],
  );
  expect(stored).toEqual([
    { version: 1, schema_version: 1 },
    { version: 2, schema_version: 1 },
    { version: 3, schema_version: 1 },
    { version: 4, schema_version: 2 },
  ]);
});
