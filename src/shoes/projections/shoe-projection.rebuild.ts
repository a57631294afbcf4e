import type { DataSource, EntityManager } from 'typeorm';
import { EventStore, type RecordedEvent } from '../../event-store/event-store';
import { decodePosition, encodePosition } from '../../event-store/position';
import { evolveInPlace, initialShoe, shoeNameKey, type FitSize, type Shoe, type ShoeEvent } from '../domain';
import { SHOE_EVENT_UPCASTER_REGISTRY } from '../events/shoe-event.upcasters';
import { SHOE_STREAM_TYPE } from '../shoe-stream';
import { compareWithLive, createNextTables, dropNextTables, indexNextTables, repairLive, swapInNextTables, writeNextTables, type NextRows, type ShoeRow } from './next-tables';
import { HOLD_BACK_PROJECTION_WRITERS } from '../read-model/projection-writers.lock';
import { acquireRebuildLock, type RebuildLock, type RebuildLockOptions } from './projection-locks';
import { progressMeter, type ProgressListener } from './rebuild-progress';

/** Milestones (for the CLI, and tests that act at a precise moment); switching/repairing: done, not yet committed. */
export type RebuildPhase = 'building' | 'built' | 'comparing' | 'switching' | 'repairing' | 'done';

/** The CLI's flags (rebuild.cli.ts), plus callbacks and the page size (default 10,000, the store's most). */
export type RebuildOptions = RebuildLockOptions & {
  online?: boolean;
  dryRun?: boolean;
  fresh?: boolean;
  /** Default 30,000 ms; 0: after every read. */
  checkpointIntervalMs?: number;
  /** At most once per second (rebuild-progress.ts). */
  onProgress?: ProgressListener;
  onPhase?: (phase: RebuildPhase) => void | Promise<void>;
  /** Awaited after each checkpoint is committed. */
  onCheckpoint?: (checkpoint: { events: number; position: string | null }) => void | Promise<void>;
  batchSize?: number;
};

/**
 * resumedAfter: events folded by an interrupted run this one resumed (0: none); caughtUpEvents: folded
 * with writers held back; position: the last event folded; switched: the next tables replaced the live ones.
 */
export type RebuildReport = {
  events: number; shoes: number; differences: string[]; resumedAfter: number; caughtUpEvents: number; position: string | null; switched: boolean;
};

/** The projection_checkpoints row, and its phase while the next tables hold a fold a later run may resume. */
const CHECKPOINT = 'shoes';
const FOLDING = 'folding';

/**
 * `projections:rebuild`: folds the whole log with the domain's own rules into the next tables, compares
 * them with the live ones, and repairs or replaces those. So it checks the inline projection (which
 * writes the live tables) against the domain, in both modes.
 * 1. Take the rebuild lock (one rebuild at a time across instances, also a dry run), or fail with
 *    RebuildAlreadyRunningError unless `wait`. Resume from the checkpoint an interrupted rebuild left
 *    (unless `fresh`), or start with empty next tables.
 * 2. Fold the log in memory with evolveInPlace (the domain's `evolve` on a state it owns), in log order
 *    (each stream's version order, and the events table's physical order), through the store's readAll
 *    with the upcasters, below the horizon, while writers go on; the next page is read while one is
 *    folded. Every `checkpointIntervalMs`, and once at the end, write what changed to the next tables
 *    with the position, in one transaction, in the background while the fold goes on.
 * 3. One transaction: hold writers back (every write takes the projection writers' lock shared until
 *    COMMIT, so once we hold it no append is in flight), lock the live tables against any other writer
 *    (readers go on), fold the rest of the log (every committed event, also above the horizon: safe while
 *    no append is in flight) and write it to the next tables.
 * 4. Compare next with live in SQL (next-tables.ts).
 * 5. Repair the live rows that differ and drop the next tables, or (`online`) swap the next tables in;
 *    a dry run drops them. COMMIT. A failure before it leaves the live tables untouched.
 */
export async function rebuildShoeProjections(dataSource: DataSource, options: RebuildOptions = {}): Promise<RebuildReport> {
  const lock = await acquireRebuildLock(dataSource, options);
  try {
    return await new Rebuild(dataSource, lock, options).run();
  } finally {
    await lock.release();
  }
}

type Page = { events: RecordedEvent<ShoeEvent>[]; read: number; last: string | null };

class Rebuild {
  private readonly fold = new ShoeFold();
  private readonly store: EventStore;
  private readonly tick: ReturnType<typeof progressMeter>;
  private readonly batchSize: number;
  /** The last event folded (null: the start of the log), and how many shoe events that was. */
  private position: string | null = null;
  private events = 0;
  private resumedAfter = 0;
  /** The log's last global position when the rebuild started, for the remaining-events estimate. */
  private endAtStart = 0;
  private pendingCheckpoint: Promise<void> | undefined;
  private lastCheckpointAt = Date.now();

  constructor(private readonly dataSource: DataSource, private readonly lock: RebuildLock, private readonly options: RebuildOptions) {
    [this.store, this.tick, this.batchSize] = [new EventStore(dataSource, null, SHOE_EVENT_UPCASTER_REGISTRY), progressMeter(options.onProgress), options.batchSize ?? 10_000];
  }

  async run(): Promise<RebuildReport> {
    await this.resumeOrStart(); // 1.
    const [{ end }]: { end: string }[] = await this.dataSource.query(`SELECT coalesce(max(global_position), 0)::text AS end FROM events`);
    this.endAtStart = Number(end);
    await this.options.onPhase?.('building');
    await this.foldFrom(); // 2.
    await this.checkpoint();
    await this.pendingCheckpoint;
    // Planner statistics for the comparison, and for the live tables these may become (LIKE copies none).
    await this.dataSource.query(`VACUUM (ANALYZE) shoes_next, shoe_ratings_next`);
    if (this.options.online && !this.options.dryRun) await indexNextTables(this.dataSource);
    await this.options.onPhase?.('built');
    const report = await this.dataSource.transaction('READ COMMITTED', (tx) => this.finish(tx)); // 3. to 5.
    await this.options.onPhase?.('done');
    return report;
  }

  private async resumeOrStart(): Promise<void> {
    const [saved]: { phase: string; t: string | null; g: string | null; events: number; staged: boolean }[] = await this.dataSource.query(
      `SELECT phase, transaction_id::text AS t, global_position::text AS g, events_applied::int AS events,
              to_regclass('shoes_next') IS NOT NULL AND to_regclass('shoe_ratings_next') IS NOT NULL AS staged
       FROM projection_checkpoints WHERE projection = $1`,
      [CHECKPOINT],
    );
    if (saved?.phase === FOLDING && saved.staged && !this.options.fresh) {
      const rows: { id: string; r: Record<string, FitSize> }[] = await this.dataSource.query(`SELECT shoe_id::text AS id, json_object_agg(user_id, size) AS r FROM shoe_ratings_next GROUP BY shoe_id`);
      const ratings = new Map(rows.map(({ id, r }) => [id, r]));
      for (const row of (await this.dataSource.query(`SELECT * FROM shoes_next`)) as ShoeRow[]) this.fold.adopt(row, ratings.get(row.id) ?? {});
      this.position = saved.t === null || saved.g === null ? null : encodePosition(saved.t, saved.g);
      this.events = this.resumedAfter = saved.events;
      return;
    }
    await this.dataSource.transaction((tx) => createNextTables(tx).then(() => saveCheckpoint(tx, FOLDING, null, 0, true)));
  }

  /** Folds the log from the position on, reading the next page while one is folded; checkpoints only while writers go on (no `tx`). */
  private async foldFrom(tx?: EntityManager): Promise<void> {
    let next = this.read(this.position, tx);
    for (;;) {
      const page = await next;
      if (page.read === 0) return;
      const more = page.read === this.batchSize;
      if (more) (next = this.read(page.last, tx)).catch(() => undefined); // the rejection is seen where it is awaited
      for (const event of page.events) this.fold.apply(event);
      [this.events, this.position] = [this.events + page.events.length, page.last];
      this.tick(tx ? 'catching up' : 'building', this.events, this.position, () => this.endAtStart - Number(decodePosition(this.position!).globalPosition));
      if (!tx && Date.now() - this.lastCheckpointAt >= (this.options.checkpointIntervalMs ?? 30_000)) await this.checkpoint();
      if (!more) return;
    }
  }

  /** Below the horizon; with `tx` (holding writers back, step 3), every committed event. */
  private async read(after: string | null, tx?: EntityManager): Promise<Page> {
    const events = tx
      ? await this.store.readAllCommitted(tx, { after, limit: this.batchSize })
      : await this.store.readAllOfType({ streamType: SHOE_STREAM_TYPE, after, limit: this.batchSize });
    const last = events.length ? events[events.length - 1].position : null;
    return { events: events.filter((e) => e.streamType === SHOE_STREAM_TYPE) as RecordedEvent<ShoeEvent>[], read: events.length, last };
  }

  /**
   * Step 2's checkpoint: what changed is taken from the fold right here; writing it runs while folding goes
   * on (PostgreSQL has a core to spare meanwhile), one checkpoint at a time, each waiting for the one before.
   */
  private async checkpoint(): Promise<void> {
    await this.pendingCheckpoint;
    const [rows, position, events] = [this.fold.takeChanges(), this.position, this.events];
    this.lastCheckpointAt = Date.now();
    this.pendingCheckpoint = this.dataSource
      .transaction(async (tx) => {
        await writeNextTables(tx, rows);
        await saveCheckpoint(tx, FOLDING, position, events);
      })
      .then(() => this.options.onCheckpoint?.({ events, position }));
    this.pendingCheckpoint.catch(() => undefined); // seen by whoever awaits it next
  }

  private async finish(tx: EntityManager): Promise<RebuildReport> {
    await tx.query(HOLD_BACK_PROJECTION_WRITERS); // 3.
    await tx.query(`LOCK TABLE shoes, shoe_ratings IN EXCLUSIVE MODE`);
    await this.lock.assertHeld(tx);
    const before = this.events;
    await this.foldFrom(tx);
    await writeNextTables(tx, this.fold.takeChanges());
    await this.options.onPhase?.('comparing'); // 4.
    const comparison = await compareWithLive(tx);
    const { dryRun, online } = this.options; // 5.
    if (!dryRun && online) await swapInNextTables(tx);
    else {
      if (!dryRun) await repairLive(tx, comparison);
      await dropNextTables(tx);
    }
    await saveCheckpoint(tx, dryRun ? 'compared' : online ? 'switched' : 'repaired', this.position, this.events);
    if (!dryRun) await this.options.onPhase?.(online ? 'switching' : 'repairing');
    const { events, position, resumedAfter } = this;
    return { events, shoes: this.fold.shoes.size, differences: comparison.differences, resumedAfter, caughtUpEvents: events - before, position, switched: !dryRun && !!online };
  }
}

async function saveCheckpoint(tx: EntityManager, phase: string, position: string | null, events: number, start = false): Promise<void> {
  const at = position === null ? null : decodePosition(position);
  await tx.query(
    `INSERT INTO projection_checkpoints (projection, phase, transaction_id, global_position, events_applied) VALUES ($1, $2, $3::xid8, $4::bigint, $5)
     ON CONFLICT (projection) DO UPDATE SET phase = EXCLUDED.phase, transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position,
       events_applied = EXCLUDED.events_applied, updated_at = now(), started_at = CASE WHEN $6 THEN now() ELSE projection_checkpoints.started_at END`,
    [CHECKPOINT, phase, at?.transactionId ?? null, at?.globalPosition ?? null, events, start],
  );
}

type ExistingShoe = Extract<Shoe, { status: 'existing' }>;
/** A stream folded, its first and last event time, `stored` once its rows are in the next tables, then the users whose rating changed. */
type Folded = { shoe: ExistingShoe; createdAt: Date; updatedAt: Date; stored: boolean; users: Set<string> };

/** The whole log folded in memory (the read model: ~100 bytes per user rating, a few hundred per shoe), fed in log order. */
class ShoeFold {
  readonly shoes = new Map<string, Folded>();
  private changed = new Set<Folded>();

  /** Folds one event (in its current shape) into its stream; throws when the stream contradicts itself. */
  apply(event: RecordedEvent<ShoeEvent>): void {
    let folded = this.shoes.get(event.streamId);
    const shoe = evolveInPlace(folded?.shoe ?? initialShoe(), event as ShoeEvent);
    // Log order is version order within a stream; anything else means the read skipped or repeated an event.
    if (shoe.status !== 'existing' || shoe.version !== event.version) throw new Error(`stream ${event.streamId}: event version ${event.version} folds out of order`);
    if (folded) folded.updatedAt = event.occurredAt;
    else this.shoes.set(event.streamId, (folded = { shoe, createdAt: event.occurredAt, updatedAt: event.occurredAt, stored: false, users: new Set() }));
    this.changed.add(folded);
    if (folded.stored && (event.type === 'TrueToSizeSubmitted' || event.type === 'TrueToSizeRetracted')) folded.users.add(event.data.userId);
  }

  /** A shoe as a checkpoint wrote it, to fold on from there. */
  adopt(row: ShoeRow, ratingsByUser: Record<string, FitSize>): void {
    const stats = { count: row.rating_count, sum: Number(row.rating_sum), distribution: [row.size_1, row.size_2, row.size_3, row.size_4, row.size_5] as ExistingShoe['stats']['distribution'] };
    const shoe: ExistingShoe = { status: 'existing', shoeId: row.id, name: row.name, brand: row.brand, version: row.version, stats, ratingsByUser: new Map(Object.entries(ratingsByUser)) };
    this.shoes.set(row.id, { shoe, createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at), stored: true, users: new Set() });
  }

  /** The rows that changed since the previous call: whole shoe rows; all ratings of a new shoe, the changed ones of a stored one. */
  takeChanges(): NextRows {
    const [shoes, rated, gone] = [[] as ShoeRow[], new JsonChunks(), new JsonChunks()];
    for (const folded of this.changed) {
      const { shoe, createdAt, updatedAt } = folded;
      const [size_1, size_2, size_3, size_4, size_5] = shoe.stats.distribution;
      shoes.push({
        id: shoe.shoeId, name: shoe.name, brand: shoe.brand, name_key: shoeNameKey(shoe.brand, shoe.name), created_at: createdAt, updated_at: updatedAt,
        version: shoe.version, rating_count: shoe.stats.count, rating_sum: shoe.stats.sum, size_1, size_2, size_3, size_4, size_5,
      });
      if (!folded.stored) rated.add(shoe.shoeId, shoe.ratingsByUser);
      else if (folded.users.size) {
        // A changed rating is deleted, then inserted if there is one: plain INSERTs cost half an upsert's.
        const users = [...folded.users];
        gone.add(shoe.shoeId, users.map((userId) => [userId, 0]));
        rated.add(shoe.shoeId, users.filter((userId) => shoe.ratingsByUser.has(userId)).map((userId) => [userId, shoe.ratingsByUser.get(userId)!]));
      }
      folded.stored = true;
      folded.users.clear();
    }
    this.changed.clear();
    return { shoes, rated: rated.end(), gone: gone.end() };
  }
}

/** Builds RatingChunks (next-tables.ts) of about CHUNK characters, a shoe's ratings never split. */
const CHUNK = 4_000_000;
class JsonChunks {
  private readonly chunks: string[] = [];
  private parts: string[] = [];
  private length = 0;

  add(shoeId: string, ratings: Iterable<[string, number]>): void {
    const pairs: string[] = [];
    for (const [userId, size] of ratings) pairs.push(`${JSON.stringify(userId)}:${size}`);
    if (!pairs.length) return;
    const part = `${JSON.stringify(shoeId)}:{${pairs.join(',')}}`;
    this.parts.push(part);
    if ((this.length += part.length) >= CHUNK) this.end();
  }

  end(): string[] {
    if (this.parts.length) this.chunks.push(`{${this.parts.join(',')}}`);
    [this.parts, this.length] = [[], 0];
    return this.chunks;
  }
}
