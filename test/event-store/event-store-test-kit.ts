import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { EventStore1732400000000 } from '../../src/database/migrations/1732400000000-event-store';
import { EventStore, NewEvent, RecordedEvent } from '../../src/event-store/event-store';
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
