import { EventStore } from '../../src/event-store/event-store';
import { EventSchemaVersionError, UpcasterRegistry } from '../../src/event-store/upcasting';
import { eventually, newStreamId, openStoreKit, StoreKit, storedVersions } from './event-store-test-kit';

/** EventStore applies its UpcasterRegistry on every read path and records current versions on append. */
let kit: StoreKit;
let store: EventStore;

const registry = new UpcasterRegistry([
  { type: 'Renamed', fromVersion: 1, upcast: (data) => ({ name: (data as { title: string }).title }) },
]);

beforeAll(async () => {
  kit = await openStoreKit(4);
  store = new EventStore(kit.dataSource, null, registry);
});
afterAll(() => kit.close());

/** A stream with a v2 event appended through the store, then a v1 row inserted as older code left it. */
async function streamWithOldRow(): Promise<string> {
  const streamId = newStreamId();
  await store.transaction(async (tx) => {
    await store.lockStreams(tx, [streamId]);
    await store.append(tx, streamId, 'thing', [{ type: 'Renamed', data: { name: 'new' } }], { expectedVersion: 0, occurredAt: new Date() });
  });
  await kit.dataSource.query(
    `INSERT INTO events (stream_id, stream_type, version, type, schema_version, data, occurred_at)
     VALUES ($1, 'thing', 2, 'Renamed', 1, '{"title": "old"}', now())`,
    [streamId],
  );
  await kit.dataSource.query(`UPDATE event_streams SET version = 2 WHERE stream_id = $1`, [streamId]);
  return streamId;
}

const currentShapes = [
  { version: 1, type: 'Renamed', schemaVersion: 2, data: { name: 'new' } },
  { version: 2, type: 'Renamed', schemaVersion: 2, data: { name: 'old' } },
];

it('appends record the current schema version of the type', async () => {
  const streamId = await streamWithOldRow();
  const stored: { schema_version: number }[] = await kit.dataSource.query(
    `SELECT schema_version FROM events WHERE stream_id = $1 ORDER BY version`,
    [streamId],
  );
  expect(stored.map((r) => r.schema_version)).toEqual([2, 1]);
});

/** The stream's two events once readAll sees them (the horizon may hold them back for a moment). */
function readableStream(streamId: string) {
  return eventually(async () => {
    const events = await store.readAll({ limit: 10, streamId });
    return events.length === 2 ? events : undefined;
  });
}

it('readAll, readAllOfType and readAllCommitted all return the current shape', async () => {
  const streamId = await streamWithOldRow();
  expect(await readableStream(streamId)).toMatchObject(currentShapes);
  const ofType = await store.readAllOfType({ streamType: 'thing', limit: 10_000 });
  expect(ofType.filter((e) => e.streamId === streamId)).toMatchObject(currentShapes);
  const committed = await store.transaction((tx) => store.readAllCommitted(tx, { after: null, limit: 10_000 }));
  expect(committed.filter((e) => e.streamId === streamId)).toMatchObject(currentShapes);
});

it('readAllOfType is readAll restricted to one stream type: same events, envelopes and shapes, other types left out', async () => {
  const streamId = await streamWithOldRow();
  const other = newStreamId();
  await store.transaction(async (tx) => {
    await store.lockStreams(tx, [other]);
    await store.append(tx, other, 'other thing', [{ type: 'Renamed', data: { name: 'x' }, metadata: { by: 'me' } }], {
      expectedVersion: 0,
      occurredAt: new Date('2026-11-24T01:02:03.456Z'),
    });
  });
  const all = await eventually(async () => {
    const events = await store.readAll({ limit: 10_000 });
    return events.some((e) => e.streamId === other) ? events : undefined;
  });
  const things = await store.readAllOfType({ streamType: 'thing', limit: 10_000 });
  expect(things).toEqual(all.filter((e) => e.streamType === 'thing'));
  expect(things.filter((e) => e.streamId === streamId)).toMatchObject(currentShapes);
  expect(await store.readAllOfType({ streamType: 'other thing', limit: 10 })).toEqual([
    expect.objectContaining({ streamId: other, metadata: { by: 'me' }, occurredAt: new Date('2026-11-24T01:02:03.456Z') }),
  ]);
  // Paged with `after`, as a rebuild reads it.
  const second = await store.readAllOfType({ streamType: 'thing', after: things[0].position, limit: 1 });
  expect(second).toEqual([things[1]]);
  await expect(store.readAllOfType({ streamType: 'thing', limit: 10_001 })).rejects.toThrow(RangeError);
});

it('refuses to append a schema version newer than the code knows, and appends nothing', async () => {
  const streamId = newStreamId();
  await expect(
    store.transaction(async (tx) => {
      await store.lockStreams(tx, [streamId]);
      await store.append(tx, streamId, 'thing', [{ type: 'Renamed', data: {}, schemaVersion: 3 }], { expectedVersion: 0, occurredAt: new Date() });
    }),
  ).rejects.toThrow(EventSchemaVersionError);
  expect(await storedVersions(kit.dataSource, streamId)).toEqual([]);
});

it('fails a read loudly on a row written by newer code', async () => {
  const streamId = await streamWithOldRow();
  await readableStream(streamId);
  await kit.dataSource.query(`UPDATE events SET schema_version = 3 WHERE stream_id = $1 AND version = 2`, [streamId]);
  await expect(store.readAll({ limit: 10, streamId })).rejects.toThrow(
    `Renamed (stream ${streamId}, version 2) is at schema version 3, newer than this code knows (up to 2)`,
  );
});
