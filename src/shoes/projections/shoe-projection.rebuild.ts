import type { DataSource, EntityManager } from 'typeorm';
import type { ShoeEvent } from '../domain/shoe.events';
import type { FitSize } from '../domain';
import { EventStore, type RecordedEvent } from '../../event-store/event-store';
import { decodePosition, encodePosition } from '../../event-store/position';
import { SHOE_EVENT_UPCASTER_REGISTRY } from '../events/shoe-event.upcasters';
import { createStagingTables, dropNextTables, SHOES_CHECKPOINT } from './next-tables';
import { acquireRebuildLock, HOLD_BACK_PROJECTION_WRITERS, type RebuildLock, type RebuildLockOptions } from './projection-locks';
import { ProgressMeter, type ProgressListener } from './rebuild-progress';
import {
  deleteRatingRows,
  deleteShoeRows,
  insertRatingRows,
  insertShoeRows,
  noRatingRows,
  ShoeFold,
  shoeRowOf,
  type ShoeRow,
} from './shoe-fold';
import { SHOE_STREAM_TYPE } from '../shoe-stream';
import { LIVE_SHOE_TABLES, NEXT_SHOE_TABLES } from '../read-model/shoe.projection';

export type RebuildReport = {
  events: number;
  shoes: number;
  differences: string[];
  /** Offline: events folded by an interrupted run before this one resumed from its checkpoint (0: none). */
  resumedAfter?: number;
};

export type RebuildOptions = RebuildLockOptions & {
  /** Compare and report only; write nothing to the live tables. */
  dryRun?: boolean;
  /** Progress, at most once per second (rebuild-progress.ts). */
  onProgress?: ProgressListener;
  /** Write a checkpoint at most this often while folding (default 30,000 ms; 0: after every read). */
  checkpointIntervalMs?: number;
  /** Awaited after each checkpoint is committed. */
  onCheckpoint?: (checkpoint: { events: number; position: string }) => void | Promise<void>;
  /** Start from the beginning of the log even if an interrupted rebuild left a checkpoint. */
  fresh?: boolean;
  /** Events per read (default 10,000, the store's most). */
  batchSize?: number;
};

/** The checkpoint row's phase while the staging tables hold a fold that a later run may resume. */
const FOLDING = 'offline: folding';
const DEFAULT_CHECKPOINT_INTERVAL_MS = 30_000;
const DEFAULT_BATCH = 10_000;

/**
 * The offline rebuild: folds the whole log again with the domain's rules, reports every difference from
 * the live `shoes` and `shoe_ratings`, and repairs, in place, the rows that differ (the online one, which
 * builds new tables and switches to them, is online-rebuild.ts).
 * 0. Take the rebuild lock (one rebuild at a time across instances, also for a dry run), or fail with
 *    RebuildAlreadyRunningError unless `wait`.
 * 1. Fold the log in memory (ShoeFold, shoe-fold.ts), in log order, which is each stream's version order and
 *    the events table's physical order (so PostgreSQL reads it sequentially), through the store's readAll
 *    with the upcasters, below the horizon, while writers go on. The next page is read while one is folded.
 * 2. Every `checkpointIntervalMs`, write what changed since the previous checkpoint to the staging tables
 *    (`shoes_next`, `shoe_ratings_next`: the read model of the fold so far) and the position to
 *    projection_checkpoints, in one transaction, while the fold goes on. A rebuild that dies (killed, connection lost) is resumed
 *    by the next one from there: it loads the staging tables and reads on after the position. A rebuild that
 *    finishes within the interval never writes a checkpoint.
 * 3. One transaction: hold writers back (the projection writers' lock, as the online switch does: it waits
 *    for every write in flight to commit, then no append is in flight), lock the live tables against any
 *    other writer (readers go on), fold the rest of the log (every committed event, also above the horizon:
 *    safe while no append is in flight), compare every shoe with its live rows, rewrite those that differ
 *    with set-based statements, delete rows that have no stream, drop the staging tables. A failure before
 *    this COMMIT leaves the live tables untouched.
 */
export async function rebuildShoeProjections(dataSource: DataSource, options: RebuildOptions = {}): Promise<RebuildReport> {
  const lock = await acquireRebuildLock(dataSource, options);
  try {
    return await new OfflineRebuild(dataSource, lock, options).run();
  } finally {
    await lock.release();
  }
}

class OfflineRebuild {
  private readonly fold = new ShoeFold();
  private readonly meter: ProgressMeter;
  private readonly batchSize: number;
  private readonly checkpointIntervalMs: number;
  /** The last event folded (null: the start of the log), and how many shoe events that was. */
  private position: string | null = null;
  private events = 0;
  private resumedAfter = 0;
  /** The staging tables exist (or the checkpoint being written creates them) and hold the fold up to the last checkpoint. */
  private staged = false;
  /** The checkpoint being written, if any. */
  private pendingCheckpoint: Promise<void> | undefined;
  private lastCheckpointAt = Date.now();
  /** The log's last global position when the rebuild started, for the remaining-events estimate. */
  private endAtStart = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lock: RebuildLock,
    private readonly options: RebuildOptions,
  ) {
    this.meter = new ProgressMeter(options.onProgress);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  }

  async run(): Promise<RebuildReport> {
    await this.resumeOrStart();
    const [{ end }]: { end: string }[] = await this.dataSource.query(`SELECT coalesce(max(global_position), 0)::text AS end FROM events`);
    this.endAtStart = Number(end);
    await this.foldBelowHorizon();
    return this.finish();
  }

  /** Resumes from the checkpoint an interrupted offline rebuild left, if any (and not `fresh`). */
  private async resumeOrStart(): Promise<void> {
    const [checkpoint]: { phase: string; t: string | null; g: string | null; events: string; staged: boolean }[] = await this.dataSource.query(
      `SELECT phase, transaction_id::text AS t, global_position::text AS g, events_applied::text AS events,
              to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AS staged
       FROM projection_checkpoints WHERE projection = $1`,
      [SHOES_CHECKPOINT, NEXT_SHOE_TABLES.shoes, NEXT_SHOE_TABLES.shoeRatings],
    );
    if (checkpoint?.phase !== FOLDING || !checkpoint.staged) return;
    if (this.options.fresh) {
      await dropNextTables(this.dataSource); // the checkpoint goes with them: without its tables it is never resumed
      return;
    }
    const shoes: ShoeRow[] = await this.dataSource.query(`SELECT * FROM ${NEXT_SHOE_TABLES.shoes}`);
    const ratings: { shoe_id: string; user_id: string; size: FitSize }[] = await this.dataSource.query(
      `SELECT shoe_id, user_id, size FROM ${NEXT_SHOE_TABLES.shoeRatings}`,
    );
    const byShoe = groupRatings(ratings);
    for (const row of shoes) this.fold.adopt(row, byShoe.get(row.id) ?? new Map());
    this.position = checkpoint.t === null || checkpoint.g === null ? null : encodePosition(checkpoint.t, checkpoint.g);
    this.events = this.resumedAfter = Number(checkpoint.events);
    this.staged = true;
  }

  /** Step 1 and 2: the log up to the horizon, a page read ahead while the previous one is folded. */
  private async foldBelowHorizon(): Promise<void> {
    const read = (after: string | null) => {
      const page = readShoeEvents({ order: 'log', dataSource: this.dataSource, after, limit: this.batchSize });
      page.catch(() => undefined); // rejections are seen where the page is awaited, not as unhandled ones
      return page;
    };
    let next = read(this.position);
    for (;;) {
      const page = await next;
      if (page.read === 0) return;
      const more = page.read === this.batchSize;
      if (more) next = read(page.last);
      this.foldPage(page);
      await this.meter.tick('folding', this.events, this.position, () => this.remaining());
      if (Date.now() - this.lastCheckpointAt >= this.checkpointIntervalMs) await this.checkpoint();
      if (!more) return;
    }
  }

  private foldPage(page: ShoeEventPage): void {
    for (const event of page.events) this.fold.apply(event);
    this.events += page.events.length;
    this.position = page.last;
  }

  /**
   * Step 2: the staging tables catch up with the fold, and the checkpoint with them, in one transaction.
   * What to write is taken from the fold right here; the writing then runs while folding goes on (PostgreSQL
   * has cores to spare while this process folds), one checkpoint at a time: the next one, and the last step,
   * first wait for it, and fail if it failed.
   */
  private async checkpoint(): Promise<void> {
    await this.pendingCheckpoint;
    const first = !this.staged; // this run's first checkpoint, not resuming one: it creates the tables
    const position = this.position!;
    const events = this.events;
    const changes = this.fold.takeChanges();
    const wholeShoes: string[] = []; // shoes whose ratings are all written (not tracked per user)
    const gone = noRatingRows();
    const rated = noRatingRows();
    for (const { folded, users } of changes) {
      const { shoeId, ratingsByUser } = folded.shoe;
      if (users === null) wholeShoes.push(shoeId);
      for (const userId of users ?? Object.keys(ratingsByUser)) {
        if (users !== null) {
          gone.shoeIds.push(shoeId);
          gone.userIds.push(userId);
        }
        if (!Object.hasOwn(ratingsByUser, userId)) continue;
        rated.shoeIds.push(shoeId);
        rated.userIds.push(userId);
        rated.sizes.push(ratingsByUser[userId]);
      }
    }
    const rows = changes.map(({ folded }) => shoeRowOf(folded));
    const { transactionId, globalPosition } = decodePosition(position);
    this.staged = true;
    this.lastCheckpointAt = Date.now();
    const written = this.dataSource.transaction(async (tx) => {
      if (first) await createStagingTables(tx);
      else {
        await deleteShoeRows(tx, NEXT_SHOE_TABLES, rows.map((row) => row.id));
        await tx.query(`DELETE FROM ${NEXT_SHOE_TABLES.shoeRatings} WHERE shoe_id = ANY($1::uuid[])`, [wholeShoes]);
        await deleteRatingRows(tx, NEXT_SHOE_TABLES, gone);
      }
      await insertShoeRows(tx, NEXT_SHOE_TABLES, rows);
      await insertRatingRows(tx, NEXT_SHOE_TABLES, rated);
      await tx.query(
        `INSERT INTO projection_checkpoints (projection, phase, transaction_id, global_position, events_applied)
         VALUES ($1, $2, $3::xid8, $4::bigint, $5)
         ON CONFLICT (projection) DO UPDATE SET phase = EXCLUDED.phase, transaction_id = EXCLUDED.transaction_id,
           global_position = EXCLUDED.global_position, events_applied = EXCLUDED.events_applied, updated_at = now(),
           started_at = CASE WHEN $6 THEN now() ELSE projection_checkpoints.started_at END`,
        [SHOES_CHECKPOINT, FOLDING, transactionId, globalPosition, events, first],
      );
    }).then(() => this.options.onCheckpoint?.({ events, position }));
    written.catch(() => undefined); // seen by whoever awaits pendingCheckpoint next
    this.pendingCheckpoint = written;
  }

  /** Step 3. */
  private async finish(): Promise<RebuildReport> {
    await this.pendingCheckpoint;
    return this.dataSource.transaction('READ COMMITTED', async (tx) => {
      await tx.query(HOLD_BACK_PROJECTION_WRITERS);
      await tx.query(`LOCK TABLE shoes, shoe_ratings IN EXCLUSIVE MODE`);
      await this.lock.assertHeld(tx);
      for (;;) {
        const page = await readShoeEvents({ order: 'log, all committed', tx, after: this.position, limit: this.batchSize });
        if (page.read === 0) break;
        this.foldPage(page);
        await this.meter.tick('folding', this.events, this.position, () => this.remaining());
        if (page.read < this.batchSize) break;
      }
      const differences = await this.compareAndRepair(tx);
      // Done with checkpoints: this run's (or a `fresh` run's predecessor's) can no longer be resumed.
      if (this.staged) await dropNextTables(tx);
      await tx.query(
        `UPDATE projection_checkpoints SET phase = $2, events_applied = $3, updated_at = now() WHERE projection = $1 AND phase = $4`,
        [SHOES_CHECKPOINT, this.options.dryRun ? 'offline: compared' : 'offline: repaired', this.events, FOLDING],
      );
      return { events: this.events, shoes: this.fold.shoes.size, differences, resumedAfter: this.resumedAfter };
    });
  }

  /**
   * Every shoe of the fold against its live rows (read in two queries), in stream id order, then the live
   * rows no stream has; unless a dry run, rewrites what differs: a shoe row that differs is deleted and
   * inserted again (all deletes first, so that no name_key is briefly held twice), a rating row only when
   * it differs.
   */
  private async compareAndRepair(tx: EntityManager): Promise<string[]> {
    const liveShoes: ShoeRow[] = await tx.query(`SELECT * FROM shoes`);
    const liveById = new Map(liveShoes.map((row) => [row.id, row]));
    // One row per shoe, its ratings as one JSON object: far cheaper to ship and parse than a row per rating.
    const liveRatings = new Map<string, Record<string, number>>(
      (await tx.query(`SELECT shoe_id, json_object_agg(user_id, size) AS ratings FROM shoe_ratings GROUP BY shoe_id`)).map(
        (row: { shoe_id: string; ratings: Record<string, number> }) => [row.shoe_id, row.ratings],
      ),
    );
    const differences: string[] = [];
    const rewrite: ShoeRow[] = [];
    const gone = noRatingRows();
    const rated = noRatingRows();
    for (const id of [...this.fold.shoes.keys()].sort()) {
      const folded = this.fold.shoes.get(id)!;
      const want = shoeRowOf(folded);
      const live = liveById.get(id);
      const columnDiffs = live ? diffRow(live, want) : [`shoe ${id}: missing from shoes`];
      if (columnDiffs.length) rewrite.push(want);
      const ratingsDiffer = diffRatings(id, liveRatings.get(id) ?? {}, folded.shoe.ratingsByUser, gone, rated);
      differences.push(...columnDiffs);
      if (ratingsDiffer && live) differences.push(`shoe ${id}: shoe_ratings differ from the log`);
    }
    const orphans = [...new Set([...liveById.keys(), ...liveRatings.keys()])].filter((id) => !this.fold.shoes.has(id)).sort();
    differences.push(...orphans.map((id) => `shoe ${id}: in the read model but not in the log`));
    if (!this.options.dryRun && differences.length) {
      await deleteShoeRows(tx, LIVE_SHOE_TABLES, [...rewrite.map((row) => row.id), ...orphans]);
      await insertShoeRows(tx, LIVE_SHOE_TABLES, rewrite);
      if (orphans.length) await tx.query(`DELETE FROM shoe_ratings WHERE shoe_id = ANY($1::uuid[])`, [orphans]);
      await deleteRatingRows(tx, LIVE_SHOE_TABLES, gone);
      await insertRatingRows(tx, LIVE_SHOE_TABLES, rated);
    }
    return differences;
  }

  /**
   * Events left to read, estimated without scanning the log: the log's last position when the rebuild
   * started minus the position reached (positions of rolled-back appends count too).
   */
  private remaining(): number {
    if (this.position === null) return this.endAtStart;
    return Math.max(0, this.endAtStart - Number(decodePosition(this.position).globalPosition));
  }
}

/** The read model's columns the fold determines, in the order differences are reported. */
const COMPARED: (keyof ShoeRow)[] = [
  'name', 'brand', 'name_key', 'created_at', 'updated_at', 'version', 'rating_count', 'rating_sum',
  'size_1', 'size_2', 'size_3', 'size_4', 'size_5',
];

function diffRow(live: ShoeRow, want: ShoeRow): string[] {
  return COMPARED.filter((column) => normalize(live[column]) !== normalize(want[column])).map(
    (column) => `shoe ${want.id}: ${column} is ${normalize(live[column])}, the log says ${normalize(want[column])}`,
  );
}

function normalize(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return value === null || value === undefined ? 'null' : String(value);
}

/** Adds to `gone` the live rows to delete and to `rated` the rows to insert; true when there is any. */
function diffRatings(
  shoeId: string,
  live: Record<string, number>,
  want: Record<string, FitSize>,
  gone: { shoeIds: string[]; userIds: string[] },
  rated: { shoeIds: string[]; userIds: string[]; sizes: number[] },
): boolean {
  let differs = false;
  for (const userId of Object.keys(live)) {
    if (Object.hasOwn(want, userId) && want[userId] === live[userId]) continue;
    gone.shoeIds.push(shoeId);
    gone.userIds.push(userId);
    differs = true;
  }
  for (const userId of Object.keys(want)) {
    if (Object.hasOwn(live, userId) && live[userId] === want[userId]) continue;
    rated.shoeIds.push(shoeId);
    rated.userIds.push(userId);
    rated.sizes.push(want[userId]);
    differs = true;
  }
  return differs;
}

function groupRatings(rows: { shoe_id: string; user_id: string; size: FitSize }[]): Map<string, Map<string, FitSize>> {
  const byShoe = new Map<string, Map<string, FitSize>>();
  for (const { shoe_id, user_id, size } of rows) {
    let ratings = byShoe.get(shoe_id);
    if (!ratings) byShoe.set(shoe_id, (ratings = new Map()));
    ratings.set(user_id, size);
  }
  return byShoe;
}


/** Where a rebuild reads events from: the log, in its global order. */
export type ShoeEventRange =
  /** Only below the horizon, only shoe events (EventStore.readAllOfType): the offline fold and the online build. */
  | { order: 'log'; dataSource: DataSource; after: string | null; limit: number }
  /**
   * EVERY committed event, also above the horizon. Only correct while no append can be in flight: the
   * online switch and the offline rebuild's last step, holding the projection-writers lock exclusively.
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
 * code in its current shape: through the store's readers, with the shoe upcasters.
 */
export async function readShoeEvents(range: ShoeEventRange): Promise<ShoeEventPage> {
  let events: RecordedEvent[];
  switch (range.order) {
    case 'log':
      events = await rebuildEventStore(range.dataSource).readAllOfType({ streamType: SHOE_STREAM_TYPE, after: range.after, limit: range.limit });
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
