import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EventStore1732400000000 } from '../../src/database/migrations/1732400000000-event-store';
import { poolRecordingPgDriver } from '../../src/database/pg-pool';
import { EventStore, NewEvent, RecordedEvent } from '../../src/event-store/event-store';
import { encodePosition } from '../../src/event-store/position';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** A fresh database (per test file) with the event store's migration run, and helpers on top. */
export type StoreKit = {
  db: TestDatabase;
  dataSource: DataSource;
  store: EventStore;
  /** Another "instance": its own pool and EventStore on the same database. */
  openInstance(poolSize?: number): Promise<{ dataSource: DataSource; store: EventStore }>;
  close(): Promise<void>;
};

export async function openStoreKit(poolSize = 12): Promise<StoreKit> {
  const db = await createTestDatabase('tts_event_store');
  const opened: DataSource[] = [];
  const openInstance = async (size = poolSize) => {
    const dataSource = await connect(db.url, size, opened.length === 0);
    opened.push(dataSource);
    return { dataSource, store: new EventStore(dataSource) };
  };
  const { dataSource, store } = await openInstance();
  return {
    db,
    dataSource,
    store,
    openInstance,
    close: async () => {
      await Promise.all(opened.map((ds) => ds.destroy()));
      await db.drop();
    },
  };
}

function connect(url: string, poolSize: number, migrationsRun: boolean): Promise<DataSource> {
  return new DataSource({
    type: 'postgres',
    // As dataSourceOptions() does: the store reads rebuild pages on node-postgres directly (pg-pool.ts).
    driver: poolRecordingPgDriver(),
    url,
    entities: [],
    migrations: [EventStore1732400000000],
    migrationsRun,
    synchronize: false,
    poolSize,
    logging: false,
  }).initialize();
}

export function newStreamId(): string {
  return randomUUID();
}

export function testEvents(count: number, tag = 'e'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'TestHappened', data: { tag, n: i + 1 } }));
}

/** The correct write flow: 1. lock, 2. read version, 3. append at that version (4. commit). */
export function appendLocked(
  store: EventStore,
  streamId: string,
  events: NewEvent[],
  inside?: (tx: EntityManager) => Promise<void>,
): Promise<RecordedEvent[]> {
  return store.transaction(async (tx) => {
    await store.lockStreams(tx, [streamId]);
    const expectedVersion = await store.streamVersion(tx, streamId);
    const recorded = await store.append(tx, streamId, 'test', events, { expectedVersion, occurredAt: new Date() });
    await inside?.(tx);
    return recorded;
  });
}

/** Every event of the log after `after` that is readable now (below the horizon). */
export async function readEverything(
  store: EventStore,
  options: { after?: string | null; streamId?: string; pageSize?: number } = {},
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after = options.after ?? null;
  for (;;) {
    const page = await store.readAll({ after, limit: options.pageSize ?? 1000, streamId: options.streamId });
    events.push(...page);
    if (page.length === 0) return events;
    after = page[page.length - 1].position;
  }
}

/**
 * The store's head once every committed event of the log is below the horizon (null for an empty log): where
 * an EventFeed started now begins, so a live subscriber of it sees none of the events before. Asks the table
 * directly for the last event and waits until headPosition agrees.
 */
export async function settledHead(store: EventStore): Promise<string | null> {
  const { head } = await eventually(async () => {
    const rows: { transaction_id: string; global_position: string }[] = await store.dataSource.query(
      `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const last = rows.length ? encodePosition(rows[0].transaction_id, rows[0].global_position) : null;
    return (await store.headPosition()) === last ? { head: last } : undefined;
  });
  return head;
}

/**
 * The versions stored for one stream, straight from the table: committed ones, or inside `via` (a transaction)
 * also its own. No horizon, so "nothing was appended" is known at once.
 */
export async function storedVersions(via: { query(sql: string, params?: unknown[]): Promise<unknown> }, streamId: string): Promise<number[]> {
  const rows = (await via.query(`SELECT version FROM events WHERE stream_id = $1 ORDER BY version`, [streamId])) as { version: number }[];
  return rows.map((r) => r.version);
}

/**
 * Retries `probe` until it returns a value. The xmin horizon is cluster-wide, so a transaction open in
 * another test file's database can hold readAll back for a moment: assertions on it wait.
 */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`eventually: nothing after ${timeoutMs} ms`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function positions(events: { position: string }[]): string[] {
  return events.map((e) => e.position);
}
