import { setTimeout as sleep } from 'node:timers/promises';
import { SHOE_STREAM_TYPE } from '../shoe-stream';
import type { DataSource, EntityManager } from 'typeorm';
import { decodePosition } from '../../event-store/position';
import { compareWithLive, createNextTables, dropNextTables, SHOES_CHECKPOINT, swapInNextTables } from './next-tables';
import { acquireRebuildLock, HOLD_BACK_PROJECTION_WRITERS, type RebuildLock, type RebuildLockOptions } from './projection-locks';
import { ProgressMeter, type ProgressListener } from './rebuild-progress';
import { readShoeEvents, type RebuildReport, type ShoeEventPage } from './shoe-projection.rebuild';
import { applyShoeEvents, NEXT_SHOE_TABLES } from '../read-model/shoe.projection';

/**
 * Milestones of an online rebuild, for the CLI's messages (and for tests, which act at a precise moment):
 * - building: the _next tables exist, empty; the bulk read starts;
 * - built: the first pass has applied the log up to its horizon; catching up starts;
 * - comparing: the rebuilt tables are compared with the live ones (outside the switch);
 * - switching: INSIDE the switch transaction, after the swap, before COMMIT: writers and readers wait;
 * - done: committed (or, for a dry run, compared and dropped).
 */
export type OnlineRebuildPhase = 'building' | 'built' | 'comparing' | 'switching' | 'done';

export type OnlineRebuildOptions = RebuildLockOptions & {
  /** Build and compare, then drop the new tables instead of switching to them. */
  dryRun?: boolean;
  /** Progress, at most once per second (rebuild-progress.ts). */
  onProgress?: ProgressListener;
  /** Awaited at each milestone. */
  onPhase?: (phase: OnlineRebuildPhase) => void | Promise<void>;
  /** Events per read and per transaction (default 1000). */
  batchSize?: number;
  /** Switch once at most this many events are left to apply (default 1000): the switch applies them with writers held back. */
  switchLag?: number;
  /** How long the switch waits for writers in flight, or for running reads, before it backs off and retries (default 5000 ms). */
  lockTimeoutMs?: number;
};

export type OnlineRebuildReport = RebuildReport & {
  /** The last event applied: the checkpoint the new tables were switched at. */
  position: string | null;
  /** Reads up to the horizon before the switch (1: the first pass left little enough). */
  passes: number;
  /** Events appended while the rebuild ran, applied by catching up and by the switch. */
  caughtUpEvents: number;
  /** Of those, applied inside the switch with writers held back. */
  switchEvents: number;
  /** False for a dry run. */
  switched: boolean;
};

export { SHOES_CHECKPOINT } from './next-tables';
const MAX_PASSES = 20;
const MAX_SWITCH_ATTEMPTS = 3;

/**
 * `npm run projections:rebuild -- --online`: rebuilds the shoe read model into a new version of its tables
 * while the service keeps serving, then switches to it atomically.
 * 0. Take the rebuild lock (one rebuild at a time across instances).
 * 1. Create empty `shoes_next`/`shoe_ratings_next` like the live tables, and reset the checkpoint.
 * 2. Apply the whole log to them in log order (EventStore.readAll pages, below the horizon) with the
 *    inline projection's own code, one transaction per page, each also moving the checkpoint.
 * 3. Catch up with what writers appended meanwhile, pass after pass, until little is left; VACUUM ANALYZE.
 * 4. Compare with the live tables (outside any lock writers care about).
 * 5. Switch, in one short transaction: hold writers back, apply the rest of the log, recheck the shoes
 *    that can differ, swap the tables, COMMIT. Writers and readers held meanwhile resume on the new tables.
 * Inline writes keep going to the live tables the whole time; the new tables never see them, only the log.
 * A rebuild that fails or is killed before the switch leaves the live tables as they were.
 */
export async function rebuildShoeProjectionsOnline(dataSource: DataSource, options: OnlineRebuildOptions = {}): Promise<OnlineRebuildReport> {
  const lock = await acquireRebuildLock(dataSource, options);
  const rebuild = new OnlineRebuild(dataSource, lock, options);
  try {
    return await rebuild.run();
  } finally {
    // Nothing half-built is left behind (the next rebuild would drop it anyway).
    if (!rebuild.finished) await dropNextTables(dataSource).catch(() => undefined);
    await lock.release();
  }
}

class OnlineRebuild {
  finished = false;
  /** Checkpoint and count, as committed (the switch works on copies until its COMMIT). */
  private position: string | null = null;
  private applied = 0;
  private passes = 0;
  private firstPassEvents = 0;
  /** Shoes whose events were applied after the comparison of step 4 (null before it). */
  private touched: Set<string> | null = null;
  /** The log's size when the rebuild started, for the remaining-events estimate. */
  private start = { events: 0, maxGlobalPosition: '0' };
  private readonly meter: ProgressMeter;
  private readonly batchSize: number;
  private readonly switchLag: number;
  private readonly lockTimeoutMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lock: RebuildLock,
    private readonly options: OnlineRebuildOptions,
  ) {
    this.meter = new ProgressMeter(options.onProgress);
    this.batchSize = options.batchSize ?? 1000;
    this.switchLag = options.switchLag ?? 1000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  }

  async run(): Promise<OnlineRebuildReport> {
    // 1. New tables and a checkpoint at the start of the log, together.
    await this.dataSource.transaction(async (tx) => {
      await createNextTables(tx);
      await tx.query(
        `INSERT INTO projection_checkpoints (projection, phase) VALUES ($1, 'building')
         ON CONFLICT (projection) DO UPDATE SET phase = 'building', transaction_id = NULL, global_position = NULL,
           events_applied = 0, started_at = now(), updated_at = now()`,
        [SHOES_CHECKPOINT],
      );
    });
    this.start = await this.measureLog();
    await this.options.onPhase?.('building');
    // 2. The bulk.
    await this.pass('building');
    this.passes = 1;
    this.firstPassEvents = this.applied;
    await this.options.onPhase?.('built');
    // 3. Catch up. Then give the new tables what the live ones have and LIKE does not copy: planner
    //    statistics (the first queries after the switch would be planned blind) and, while at it, clean
    //    out the row versions the counter updates left behind. Outside any transaction (VACUUM needs that).
    await this.catchUp();
    await this.dataSource.query(`VACUUM (ANALYZE) ${NEXT_SHOE_TABLES.shoes}, ${NEXT_SHOE_TABLES.shoeRatings}`);
    // 4. Compare now, so that the switch only rechecks the shoes that can differ: those that differ now,
    //    and those the events applied from here on touch (any other row is the same in both tables and
    //    stays so: no event changes it in either).
    await this.options.onPhase?.('comparing');
    const candidates = [...(await compareWithLive(this.dataSource, null)).keys()];
    this.touched = new Set();
    await this.pass('catching up'); // what the comparison let pile up, so the switch has less to do
    // 5. Switch; when it times out waiting for a lock, back off (letting writers through), catch up, retry.
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.switchOver(candidates);
        this.finished = true;
        await this.options.onPhase?.('done');
        return {
          ...result,
          position: this.position,
          passes: this.passes,
          caughtUpEvents: this.applied - this.firstPassEvents,
          switched: !this.options.dryRun,
        };
      } catch (error) {
        if (!isLockTimeout(error) || attempt >= MAX_SWITCH_ATTEMPTS) throw error;
        await this.pass('catching up');
      }
    }
  }

  /** Reads up to the horizon, one transaction per page; returns how many shoe events it applied. */
  private async pass(phase: string): Promise<number> {
    let applied = 0;
    for (;;) {
      const page = await readShoeEvents({ order: 'log', dataSource: this.dataSource, after: this.position, limit: this.batchSize });
      if (page.read === 0) return applied;
      await this.dataSource.transaction((tx) => this.applyPage(tx, page, this.applied + page.events.length));
      this.position = page.last;
      this.applied += page.events.length;
      applied += page.events.length;
      for (const event of page.events) this.touched?.add(event.streamId);
      await this.meter.tick(phase, this.applied, this.position, () => this.remaining());
      if (page.read < this.batchSize) return applied;
    }
  }

  private async catchUp(): Promise<void> {
    while (this.passes < MAX_PASSES && (await this.remaining()) > this.switchLag) {
      const applied = await this.pass('catching up');
      this.passes += 1;
      // Nothing below the horizon although events remain: an open transaction somewhere in the cluster
      // holds the horizon back. Give it a moment; after MAX_PASSES the switch reads past it anyway.
      if (applied === 0) await sleep(50);
    }
  }

  private async switchOver(candidates: string[]): Promise<Omit<OnlineRebuildReport, 'position' | 'passes' | 'caughtUpEvents' | 'switched'>> {
    let position = this.position;
    let switchEvents = 0;
    const touched = new Set(this.touched);
    const result = await this.dataSource.transaction('READ COMMITTED', async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.lockTimeoutMs))}`);
      // 1. Hold writers back: waits until every write in flight has committed (each holds the lock shared),
      //    and makes new ones wait at their step 0 until this transaction ends.
      await tx.query(HOLD_BACK_PROJECTION_WRITERS);
      // 2. Still the one rebuild? Its lock lives on another connection, which may have died meanwhile.
      await this.lock.assertHeld(tx);
      // 3. The rest of the log: EVERY committed event after the checkpoint, also above the horizon. Safe
      //    here, and only here: every appender takes the writers lock (shared) before its transaction gets
      //    an id and holds it until COMMIT, so while we hold it exclusively no append is in flight. No open
      //    transaction has written an event that could still commit before the last one read here, and an
      //    append after our COMMIT gets a newer transaction id than all of them. The horizon guards against
      //    exactly that, and it is cluster-wide: any long transaction elsewhere would hold us here.
      for (;;) {
        const page = await readShoeEvents({ order: 'log, all committed', tx, after: position, limit: this.batchSize });
        if (page.read === 0) break;
        await applyShoeEvents(tx, page.events, NEXT_SHOE_TABLES);
        position = page.last;
        switchEvents += page.events.length;
        for (const event of page.events) touched.add(event.streamId);
        await this.meter.tick('switching', this.applied + switchEvents, position, async () => (await this.remaining()) - switchEvents);
        if (page.read < this.batchSize) break;
      }
      await this.saveCheckpoint(tx, position, this.applied + switchEvents, this.options.dryRun ? 'compared' : 'switched');
      // 4. Exact differences: writers are held and the new tables are at the end of the log.
      const differences = await compareWithLive(tx, [...new Set([...candidates, ...touched])]);
      const [{ shoes }]: { shoes: number }[] = await tx.query(`SELECT count(*)::int AS shoes FROM ${NEXT_SHOE_TABLES.shoes}`);
      // 5. Swap (or, for a dry run, drop the new tables), then COMMIT.
      if (this.options.dryRun) await dropNextTables(tx);
      else {
        await swapInNextTables(tx);
        await this.options.onPhase?.('switching');
      }
      return { shoes, differences: [...differences.values()].flat() };
    });
    this.position = position;
    this.applied += switchEvents;
    return { ...result, events: this.applied, switchEvents };
  }

  private async applyPage(tx: EntityManager, page: ShoeEventPage, applied: number): Promise<void> {
    await applyShoeEvents(tx, page.events, NEXT_SHOE_TABLES);
    await this.saveCheckpoint(tx, page.last, applied, 'building');
  }

  /** In the transaction that applied up to `position`, so the checkpoint never disagrees with the tables. */
  private async saveCheckpoint(tx: EntityManager, position: string | null, applied: number, phase: string): Promise<void> {
    const decoded = position === null ? null : decodePosition(position);
    await tx.query(
      `UPDATE projection_checkpoints SET phase = $2, transaction_id = $3::xid8, global_position = $4::bigint,
         events_applied = $5, updated_at = now()
       WHERE projection = $1`,
      [SHOES_CHECKPOINT, phase, decoded?.transactionId ?? null, decoded?.globalPosition ?? null, applied],
    );
  }

  private async measureLog(): Promise<{ events: number; maxGlobalPosition: string }> {
    const [row]: { events: string; max: string }[] = await this.dataSource.query(
      `SELECT count(*)::text AS events, coalesce(max(global_position), 0)::text AS max FROM events WHERE stream_type = $1`,
      [SHOE_STREAM_TYPE],
    );
    return { events: Number(row.events), maxGlobalPosition: row.max };
  }

  /**
   * Events left to apply, estimated without scanning the log: its size at the start, plus what was
   * appended since (an index range on the global position), minus what was applied. Only events still
   * in flight at the start escape it. The switch never relies on it: it reads to the end regardless.
   */
  private async remaining(): Promise<number> {
    const [row]: { n: string }[] = await this.dataSource.query(
      `SELECT count(*)::text AS n FROM events WHERE global_position > $1::bigint AND stream_type = $2`,
      [this.start.maxGlobalPosition, SHOE_STREAM_TYPE],
    );
    return Math.max(0, this.start.events + Number(row.n) - this.applied);
  }
}

/** lock_timeout fired (SQLSTATE 55P03 lock_not_available). */
function isLockTimeout(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  return e?.code === '55P03' || e?.driverError?.code === '55P03';
}
