import { ConcurrencyError } from '../../src/event-store/concurrency.error';
import type { RecordedEvent } from '../../src/event-store/event-store';
import { encodePosition, InvalidPositionError } from '../../src/event-store/position';
import {
  appendLocked,
  eventually,
  newStreamId,
  openStoreKit,
  positions,
  readEverything,
  StoreKit,
  storedVersions,
  testEvents,
} from './event-store-test-kit';

let kit: StoreKit;

beforeAll(async () => {
  kit = await openStoreKit(12);
});

afterAll(() => kit.close());

describe('EventStore append and read', () => {
  it('appends to a new stream and reads it back by stream and from the global log', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    const occurredAt = new Date('2026-01-02T03:04:05.678Z');
    const recorded = await store.transaction(async (tx) => {
      await store.lockStreams(tx, [streamId]);
      expect(await store.streamVersion(tx, streamId)).toBe(0);
      return store.append(
        tx,
        streamId,
        'shoe',
        [
          { type: 'A', data: { n: 1 } },
          { type: 'B', data: { n: 2 }, metadata: { by: 'u1' }, schemaVersion: 2 },
        ],
        { expectedVersion: 0, occurredAt },
      );
    });

    expect(recorded).toMatchObject([
      { streamId, streamType: 'shoe', version: 1, type: 'A', data: { n: 1 }, metadata: {}, schemaVersion: 1, occurredAt },
      { streamId, streamType: 'shoe', version: 2, type: 'B', data: { n: 2 }, metadata: { by: 'u1' }, schemaVersion: 2 },
    ]);
    expect(BigInt(recorded[1].globalPosition)).toBeGreaterThan(BigInt(recorded[0].globalPosition));
    expect(await storedVersions(store.dataSource, streamId)).toEqual([1, 2]);
    expect(await eventually(async () => nonEmpty(await store.readAll({ limit: 10, streamId })))).toEqual(recorded);
    expect(await store.transaction((tx) => store.streamVersion(tx, streamId))).toBe(2);
  });

  it('pages the global log strictly after a cursor, oldest first, up to `until`', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    for (let i = 0; i < 5; i++) await appendLocked(store, streamId, testEvents(1, `p${i}`));
    const all = await eventually(async () => {
      const events = await store.readAll({ limit: 100, streamId });
      return events.length === 5 ? events : undefined;
    });

    const paged: RecordedEvent[] = [];
    for (let page = await store.readAll({ limit: 2, streamId }); page.length > 0; ) {
      paged.push(...page);
      page = await store.readAll({ after: page[page.length - 1].position, limit: 2, streamId });
    }
    expect(positions(paged)).toEqual(positions(all));
    expect(all.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
    const bounded = await store.readAll({ after: all[0].position, until: all[2].position, limit: 10, streamId });
    expect(positions(bounded)).toEqual(positions(all.slice(1, 3)));
  });

  it('inside the appending transaction the stream is at its new version; other connections see it at COMMIT', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    await appendLocked(store, streamId, testEvents(4));
    await store.transaction(async (tx) => {
      await store.lockStreams(tx, [streamId]);
      await store.append(tx, streamId, 'test', testEvents(1), { expectedVersion: 4, occurredAt: new Date() });
      expect(await store.streamVersion(tx, streamId)).toBe(5);
      expect(await storedVersions(tx, streamId)).toEqual([1, 2, 3, 4, 5]);
      expect(await storedVersions(store.dataSource, streamId)).toEqual([1, 2, 3, 4]); // not committed yet
    });
    expect(await storedVersions(store.dataSource, streamId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reports the head position and whether a position exists', async () => {
    const { store } = kit;
    const [last] = (await appendLocked(store, newStreamId(), testEvents(1))).slice(-1);
    const head = await eventually(async () => {
      const position = await store.headPosition();
      return position === last.position ? position : undefined;
    });
    expect(head).toBe(last.position);
    await expect(store.positionExists(last.position)).resolves.toBe(true);
    await expect(store.positionExists(encodePosition('1', '999999999'))).resolves.toBe(false);
    await expect(store.positionExists('not-a-position')).rejects.toBeInstanceOf(InvalidPositionError);
    await expect(store.readAll({ after: 'bm9wZQ', limit: 1 })).rejects.toBeInstanceOf(InvalidPositionError);
  });

  it('treats an empty append as a no-op and rolls appends back with their transaction', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    const empty = await store.transaction((tx) => store.append(tx, streamId, 'test', [], { expectedVersion: 0, occurredAt: new Date() }));
    expect(empty).toEqual([]);
    const failing = appendLocked(store, streamId, testEvents(2), async () => {
      throw new Error('decided against it');
    });
    await expect(failing).rejects.toThrow('decided against it');
    expect(await storedVersions(store.dataSource, streamId)).toEqual([]);
    expect(await store.transaction((tx) => store.streamVersion(tx, streamId))).toBe(0);
  });
});

describe('EventStore concurrency control', () => {
  it('rejects a stale expected version with ConcurrencyError and appends nothing', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    await appendLocked(store, streamId, testEvents(2));
    const appendAt = (expectedVersion: number) =>
      store.transaction(async (tx) => {
        await store.lockStreams(tx, [streamId]);
        return store.append(tx, streamId, 'test', testEvents(1), { expectedVersion, occurredAt: new Date() });
      });

    await expect(appendAt(1)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(appendAt(1)).rejects.toMatchObject({ streamId, expectedVersion: 1, actualVersion: 2 });
    await expect(appendAt(0)).rejects.toMatchObject({ expectedVersion: 0, actualVersion: 2 });
    await expect(appendAt(3)).rejects.toMatchObject({ expectedVersion: 3, actualVersion: 2 });
    expect(await storedVersions(store.dataSource, streamId)).toEqual([1, 2]);
  });

  it('never creates a stream for a non-zero expected version', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    const append = store.transaction(async (tx) => {
      await store.lockStreams(tx, [streamId]);
      return store.append(tx, streamId, 'test', testEvents(1), { expectedVersion: 3, occurredAt: new Date() });
    });
    await expect(append).rejects.toMatchObject({ name: 'ConcurrencyError', actualVersion: 0 });
    expect(await kit.dataSource.query(`SELECT 1 FROM event_streams WHERE stream_id = $1`, [streamId])).toEqual([]);
  });

  it('maps a unique (stream_id, version) violation to ConcurrencyError (the backstop)', async () => {
    const { store, dataSource } = kit;
    const streamId = newStreamId();
    // A writer that bypassed event_streams: version 1 exists, the stream row does not.
    await dataSource.query(
      `INSERT INTO events (stream_id, stream_type, version, type, data, occurred_at) VALUES ($1, 'test', 1, 'Rogue', '{}', now())`,
      [streamId],
    );
    const append = appendLocked(store, streamId, testEvents(1));
    await expect(append).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(appendLocked(store, streamId, testEvents(1))).rejects.toMatchObject({ expectedVersion: 0, actualVersion: 1 });
  });

  it('refuses an append without lockStreams, and lockStreams after the transaction wrote', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    const unlocked = store.transaction((tx) =>
      store.append(tx, streamId, 'test', testEvents(1), { expectedVersion: 0, occurredAt: new Date() }),
    );
    await expect(unlocked).rejects.toThrow(/without lockStreams/);
    const lateLock = store.transaction(async (tx) => {
      await tx.query(`SELECT pg_current_xact_id()`); // the transaction now holds an xid
      await store.lockStreams(tx, [streamId]);
    });
    await expect(lateLock).rejects.toThrow(/before the transaction writes anything/);
  });

  it('serializes 30 concurrent appenders on one stream: all succeed, versions 1..30 in log order', async () => {
    const { store } = kit;
    const streamId = newStreamId();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        appendLocked(store, streamId, testEvents(1, `w${i}`), async (tx) => {
          await tx.query(`SELECT pg_sleep(0.002)`); // hold the lock a little: writers really queue
        }),
      ),
    );
    expect(results.flat().map((e) => e.version).sort((a, b) => a - b)).toEqual(range(1, 30));
    const log = await eventually(async () => {
      const events = await readEverything(store, { streamId });
      return events.length === 30 ? events : undefined;
    });
    expect(log.map((e) => e.version)).toEqual(range(1, 30));
  });
});

describe('EventStore.transaction options: locks and reads in BEGIN\'s round trip', () => {
  it('a `then` statement reads what the stream lock\'s previous holder committed; one statement that locks, then reads, would not', async () => {
    const { store, dataSource } = kit;
    const streamId = newStreamId();
    await appendLocked(store, streamId, testEvents(1));
    // given a writer that holds the stream's lock and has appended version 2, not yet committed
    let commit!: () => void;
    let appended!: () => void;
    const writerAppended = new Promise<void>((resolve) => (appended = resolve));
    const writer = appendLocked(store, streamId, testEvents(1), async () => {
      appended();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await writerAppended;
    // when two readers wait for that lock: our transaction's `then`, and one statement that locks and then reads
    const version = `SELECT version FROM event_streams WHERE stream_id = '${streamId}'`;
    const inThen = store.transaction(async (_tx, opened) => opened, { lockStreams: [streamId], then: [version] });
    const inOneStatement = dataSource.transaction((tx) =>
      tx.query(
        `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended('stream:' || $1::uuid::text, 0)) AS l)
         SELECT e.version FROM locked, event_streams e WHERE e.stream_id = $1::uuid`,
        [streamId],
      ),
    );
    await eventually(async () => {
      const [{ waiting }]: { waiting: number }[] = await dataSource.query(
        `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return waiting === 2 || undefined;
    });
    // and the writer commits
    commit();
    await writer;

    // then `then` read version 2, while the single statement read version 1: its snapshot predates its wait
    expect(await inThen).toEqual([[{ version: 2 }]]);
    expect(await inOneStatement).toEqual([{ version: 1 }]);
  });

  it('refuses a transaction whose `first` statements wrote before the streams were locked', async () => {
    const { store } = kit;
    const early = store.transaction(async () => 'ran', { first: ['SELECT pg_current_xact_id()'], lockStreams: [newStreamId()] });
    await expect(early).rejects.toThrow(/before the transaction writes anything/);
  });
});

function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
