import type { DataSource, EntityManager } from 'typeorm';
import { evolve, initialShoe, Shoe, shoeNameKey } from '../domain';
import type { ShoeEvent } from '../domain/shoe.events';
import { EventStore, type RecordedEvent } from '../../event-store/event-store';
import { SHOE_EVENT_UPCASTER_REGISTRY } from '../events/shoe-event.upcasters';
import { acquireRebuildLock, type RebuildLockOptions } from './projection-locks';
import { ProgressMeter, type ProgressListener } from './rebuild-progress';

export type RebuildReport = { events: number; shoes: number; differences: string[] };

export type RebuildOptions = RebuildLockOptions & {
  /** Compare and report only; write nothing. */
  dryRun?: boolean;
  /** Progress, at most once per second (rebuild-progress.ts). */
  onProgress?: ProgressListener;
};

type StreamRow = { stream_id: string; version: number; type: ShoeEvent['type']; data: ShoeEvent['data']; occurred_at: Date };
type Expected = { shoe: Extract<Shoe, { status: 'existing' }>; createdAt: Date; updatedAt: Date };

const BATCH = 5000;

/**
 * The offline rebuild: rebuilds `shoes` and `shoe_ratings` in place from the log and reports every
 * difference from the live rows (the online one, which keeps writers going, is online-rebuild.ts).
 * 0. Take the rebuild lock (one rebuild at a time across instances, also for a dry run), or fail with
 *    RebuildAlreadyRunningError unless `wait`.
 * 1. Lock both tables against writers (readers go on): a writer that already appended but has not yet
 *    touched the read model waits, and its later counter update lands on the rebuilt rows, so the
 *    result still equals the fold of the log once it commits.
 * 2. Fold each stream with the domain's `evolve` (streams in id order, events in version order).
 * 3. Compare with the live rows and rewrite only what differs; delete rows that have no stream.
 * Steps 1-3 in one transaction: a crash midway leaves the old tables untouched.
 */
export async function rebuildShoeProjections(dataSource: DataSource, options: RebuildOptions = {}): Promise<RebuildReport> {
  const lock = await acquireRebuildLock(dataSource, options);
  try {
    return await dataSource.transaction(async (tx) => {
      await tx.query(`LOCK TABLE shoes, shoe_ratings IN EXCLUSIVE MODE`);
      const report: RebuildReport = { events: 0, shoes: 0, differences: [] };
      const meter = new ProgressMeter(options.onProgress);
      const total = options.onProgress ? await countShoeEvents(tx) : 0;
      const seen = new Set<string>();
      for await (const expected of foldStreams(tx, report)) {
        seen.add(expected.shoe.shoeId);
        report.shoes += 1;
        const diffs = await diffShoe(tx, expected);
        report.differences.push(...diffs);
        if (diffs.length && !options.dryRun) await rewriteShoe(tx, expected);
        await meter.tick('folding', report.events, `${expected.shoe.shoeId}@${expected.shoe.version}`, () => total - report.events);
      }
      report.differences.push(...(await removeOrphans(tx, seen, options.dryRun ?? false)));
      return report;
    });
  } finally {
    await lock.release();
  }
}

async function countShoeEvents(tx: EntityManager): Promise<number> {
  const [row]: { n: string }[] = await tx.query(`SELECT count(*)::text AS n FROM events WHERE stream_type = $1`, [SHOE_STREAM_TYPE]);
  return Number(row.n);
}

async function* foldStreams(tx: EntityManager, report: RebuildReport): AsyncGenerator<Expected> {
  let current = null as Expected | null;
  let after: [string, number] = ['00000000-0000-0000-0000-000000000000', 0];
  for (;;) {
    // Through the store, so older event shapes arrive upcast (src/shoes/events/shoe-event.upcasters.ts).
    const { events } = await readShoeEvents({ order: 'streams', tx, afterStreamId: after[0], afterVersion: after[1], limit: BATCH });
    const rows: StreamRow[] = events.map((e) => ({ stream_id: e.streamId, version: e.version, type: e.type, data: e.data, occurred_at: e.occurredAt }));
    for (const row of rows) {
      report.events += 1;
      if (current && current.shoe.shoeId !== row.stream_id) {
        yield current;
        current = null;
      }
      const shoe = evolve(current?.shoe ?? initialShoe(), { type: row.type, data: row.data } as ShoeEvent);
      if (shoe.status !== 'existing') throw new Error(`stream ${row.stream_id} does not start with ShoeCreated`);
      current = { shoe, createdAt: current?.createdAt ?? row.occurred_at, updatedAt: row.occurred_at };
    }
    if (rows.length < BATCH) break;
    after = [rows[rows.length - 1].stream_id, rows[rows.length - 1].version];
  }
  if (current) yield current;
}

const SHOE_STREAM_TYPE = 'shoe';

/** Where a rebuild reads events from. */
export type ShoeEventRange =
  /** Every shoe stream in (stream id, version) order, strictly after a stream's version: the offline fold. */
  | { order: 'streams'; tx: EntityManager; afterStreamId: string; afterVersion: number; limit: number }
  /** The log in its global order, only below the horizon (EventStore.readAll): the online build. */
  | { order: 'log'; dataSource: DataSource; after: string | null; limit: number }
  /**
   * The log in its global order, EVERY committed event, also above the horizon. Only correct while no
   * append can be in flight: the online switch, holding the projection-writers lock exclusively.
   */
  | { order: 'log, all committed'; tx: EntityManager; after: string | null; limit: number };

/** One read of a rebuild. */
export type ShoeEventPage = {
  /** The page's shoe events, in order, in their current shape. */
  events: RecordedEvent<ShoeEvent>[];
  /** How many events the page read, shoe events or not: fewer than the limit means it was the last page. */
  read: number;
  /** The cursor of the last event read, shoe event or not (the next page starts after it); null when none. */
  last: string | null;
};

/**
 * THE one place a rebuild (offline or online) reads events, so that every event reaches the projection
 * code in its current shape: through the store's readers with the shoe upcasters, or, for the one read the
 * store has no method for, through the same registry.
 */
export async function readShoeEvents(range: ShoeEventRange): Promise<ShoeEventPage> {
  let events: RecordedEvent[];
  switch (range.order) {
    case 'streams':
      events = await rebuildEventStore(range.tx.dataSource).readStreamsInOrder({
        tx: range.tx,
        streamType: SHOE_STREAM_TYPE,
        afterStreamId: range.afterStreamId,
        afterVersion: range.afterVersion,
        limit: range.limit,
      });
      break;
    case 'log':
      events = await rebuildEventStore(range.dataSource).readAll({ after: range.after, limit: range.limit });
      break;
    case 'log, all committed':
      events = await rebuildEventStore(range.tx.dataSource).readAllCommitted(range.tx, { after: range.after, limit: range.limit });
      break;
  }
  return {
    events: events.filter((e) => e.streamType === SHOE_STREAM_TYPE) as RecordedEvent<ShoeEvent>[],
    read: events.length,
    last: events.length ? events[events.length - 1].position : null,
  };
}

/** A reader of the store with the same upcasters the app registers (ShoesModule). */
function rebuildEventStore(dataSource: DataSource): EventStore {
  return new EventStore(dataSource, null, SHOE_EVENT_UPCASTER_REGISTRY);
}

function expectedRow({ shoe, createdAt, updatedAt }: Expected): Record<string, unknown> {
  const [s1, s2, s3, s4, s5] = shoe.stats.distribution;
  return {
    name: shoe.name,
    brand: shoe.brand,
    name_key: shoeNameKey(shoe.brand, shoe.name),
    created_at: createdAt.toISOString(),
    updated_at: updatedAt.toISOString(),
    version: shoe.version,
    rating_count: shoe.stats.count,
    rating_sum: shoe.stats.sum,
    size_1: s1, size_2: s2, size_3: s3, size_4: s4, size_5: s5,
  };
}

async function diffShoe(tx: EntityManager, expected: Expected): Promise<string[]> {
  const id = expected.shoe.shoeId;
  const [live] = await tx.query(`SELECT * FROM shoes WHERE id = $1`, [id]);
  if (!live) return [`shoe ${id}: missing from shoes`];
  const want = expectedRow(expected);
  const diffs = Object.entries(want)
    .filter(([column, value]) => normalize(live[column]) !== normalize(value))
    .map(([column, value]) => `shoe ${id}: ${column} is ${normalize(live[column])}, the log says ${normalize(value)}`);
  const ratings: { user_id: string; size: number }[] = await tx.query(`SELECT user_id, size FROM shoe_ratings WHERE shoe_id = $1`, [id]);
  const liveRatings = JSON.stringify(Object.fromEntries(ratings.map((r) => [r.user_id, r.size]).sort()));
  const wantRatings = JSON.stringify(Object.fromEntries(Object.entries(expected.shoe.ratingsByUser).sort()));
  if (liveRatings !== wantRatings) diffs.push(`shoe ${id}: shoe_ratings differ from the log`);
  return diffs;
}

function normalize(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return value === null || value === undefined ? 'null' : String(value);
}

async function rewriteShoe(tx: EntityManager, expected: Expected): Promise<void> {
  const id = expected.shoe.shoeId;
  const row = expectedRow(expected);
  await tx.query(`DELETE FROM shoes WHERE id = $1`, [id]);
  await tx.query(`DELETE FROM shoe_ratings WHERE shoe_id = $1`, [id]);
  const columns = Object.keys(row);
  await tx.query(
    `INSERT INTO shoes (id, ${columns.join(', ')}) VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})`,
    [id, ...Object.values(row)],
  );
  for (const [userId, size] of Object.entries(expected.shoe.ratingsByUser)) {
    await tx.query(`INSERT INTO shoe_ratings (shoe_id, user_id, size) VALUES ($1, $2, $3)`, [id, userId, size]);
  }
}

async function removeOrphans(tx: EntityManager, seen: Set<string>, dryRun: boolean): Promise<string[]> {
  const ids: { id: string }[] = await tx.query(`SELECT id FROM shoes UNION SELECT DISTINCT shoe_id FROM shoe_ratings`);
  const orphans = ids.map((r) => r.id).filter((id) => !seen.has(id));
  if (orphans.length && !dryRun) {
    await tx.query(`DELETE FROM shoes WHERE id = ANY($1::uuid[])`, [orphans]);
    await tx.query(`DELETE FROM shoe_ratings WHERE shoe_id = ANY($1::uuid[])`, [orphans]);
  }
  return orphans.map((id) => `shoe ${id}: in the read model but not in the log`);
}
