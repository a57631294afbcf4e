import { Inject, Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../../config/app-config.service';
import { EventFeed } from '../../event-store/event-feed';
import { notifyObserver } from '../../event-store/event-store.observer';
import { COMMITTED_EVENTS_AFTER, LOG_START } from '../../event-store/event-store.sql';
import { pgClientConfig } from '../../event-store/pg-client-config';
import { decodePosition } from '../../event-store/position';
import type { CurrentVersions } from '../../event-store/read-set';
import { READ_CACHE_OBSERVER, type ReadCacheObserver, type ReadCacheResult } from '../../metrics/read-cache.observer';
import type { ShoeRow } from './shoe-row';
import { shoeById } from './shoe.loaders';
import { SharedCheckBarrier } from './shared-check.barrier';
import { type FillTicket, VersionedLru } from './versioned-lru.cache';

/**
 * One statement per freshness check: is any committed event past the feed's position (the cache would be
 * behind it), and the read model's epoch. The epoch is the rebuild's checkpoint row, which the rebuild's last
 * transaction writes together with its repair or swap of the live tables (shoe-projection.rebuild.ts, step 5):
 * a rebuild appends no event, so the feed never hears of it, and this is how the cache does. Checkpoints written
 * while a rebuild folds change it too: a needless clear, only a cost. 'shoes' is the rebuild's checkpoint name.
 */
const FRESHNESS = {
  name: 'tts_read_cache_freshness',
  text: `SELECT ${COMMITTED_EVENTS_AFTER} AS behind,
    (SELECT updated_at::text FROM projection_checkpoints WHERE projection = 'shoes') AS epoch`,
};

/**
 * The always-fresh read cache of `shoe(id)` (README "Read cache"): ShoeRows by id in a bounded LRU
 * (`READ_CACHE_SIZE`), filled by reads, kept by the writes of this instance, invalidated by this instance's
 * event feed in log order (EventFeed.onEvent, before any local subscriber gets the event).
 *
 * What it guarantees: a cache hit is served only after a freshness check that STARTED after the read arrived
 * found no committed event past the feed's position (and no rebuild since the last check). So a hit never
 * shows less than any version committed before the read arrived: one a subscriber on any instance has seen,
 * or one a mutation on any instance has answered with. The check is one index probe shared by every read that
 * arrives while the previous one runs (SharedCheckBarrier), so under load it costs one tiny statement per
 * round trip instead of one read per request; alone, a hit costs one round trip like a miss does.
 * When the check says "behind" (the feed has not read a commit yet, or an old open transaction holds the
 * horizon back), or fails, the read goes to the database: correct, only slower, until the feed catches up.
 * Reads that miss go to the database without the check (the database is the truth), and fill the cache
 * through a ticket (VersionedLru) so a read that raced an event never stores the older row.
 *
 * Caveats: `shoes` pages, `events` and mutations are not cached. Versions alone cannot tell a rebuild's
 * repaired row from the one it replaced (same version), hence the epoch. Memory: about `READ_CACHE_SIZE` ×
 * one ShoeRow.
 */
@Injectable()
export class ShoeReadCache implements OnModuleInit, OnModuleDestroy, CurrentVersions {
  private readonly rows: VersionedLru<ShoeRow>;
  private readonly barrier = new SharedCheckBarrier(() => this.checkFreshness());
  /** The read model's epoch as of the last check (see FRESHNESS); read once at start. */
  private readModelEpoch: string | null = null;
  private stopFollowing?: () => void;
  /**
   * The check's own connection (one, beside the pool and the feed's): under write load every pooled connection
   * is busy with a mutation, and a check queued behind them would hold every hit back; one connection suffices
   * since at most one check is in flight.
   */
  private checks: Pool | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly feed: EventFeed,
    config: AppConfigService,
    @Optional() @Inject(READ_CACHE_OBSERVER) private readonly observer: ReadCacheObserver | null = null,
  ) {
    this.rows = new VersionedLru(config.settings.readCacheSize);
  }

  get enabled(): boolean {
    return this.rows.capacity > 0;
  }

  /**
   * 1. follow the feed (before any read can fill an entry);
   * 2. learn the read model's epoch, so the first check does not take the start for a rebuild.
   */
  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    this.checks = new Pool({ ...pgClientConfig(this.dataSource.options, 'tts-read-cache'), max: 1, idleTimeoutMillis: 0 });
    // An idle connection that dies emits here (unhandled, it would end the process); the next check reconnects.
    this.checks.on('error', () => undefined);
    this.stopFollowing = this.feed.onEvent((event) => this.rows.invalidate(event.streamId, event.version));
    this.readModelEpoch = (await this.queryFreshness(null)).epoch;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopFollowing?.();
    await this.checks?.end();
    this.checks = null;
  }

  /**
   * The shoe, from the cache when provably current, else from the database. `shoeId` in lower case, as parseId
   * and the log spell it (another spelling is never stored, so it only misses). `atLeastVersion`: the caller
   * already knows the log holds that version and only needs a row that reflects it (shoeChanged, after its
   * event), so an entry that new is served without the check.
   */
  async shoeById(shoeId: string, atLeastVersion?: number): Promise<ShoeRow | null> {
    if (!this.enabled) return shoeById(this.dataSource, shoeId);
    const cached = this.rows.get(shoeId);
    if (cached === undefined) return this.load(shoeId, 'miss');
    if (atLeastVersion !== undefined && cached.version >= atLeastVersion) return this.served(cached);
    if (!(await this.barrier.afterNow())) return this.load(shoeId, 'behind');
    // Read again after the check: the feed may have invalidated it meanwhile.
    const current = this.rows.get(shoeId);
    return current === undefined ? this.load(shoeId, 'miss') : this.served(current);
  }

  /**
   * For answers built from these shoes (the answer cache and ETags of src/graphql, through CURRENT_VERSIONS):
   * their versions with the same guarantee as a hit, or null when one is not cached or the check says behind.
   * Nothing is read from the database: an answer that cannot be proven current here is simply executed.
   */
  async currentVersions(shoeIds: readonly string[]): Promise<readonly number[] | null> {
    if (!this.enabled || !shoeIds.every((id) => this.rows.has(id))) return null;
    if (!(await this.barrier.afterNow())) return null;
    const versions: number[] = [];
    for (const id of shoeIds) {
      const row = this.rows.get(id); // again after the check: the feed may have invalidated it meanwhile
      if (row === undefined) return null;
      versions.push(row.version);
    }
    // Counted as hits: the answer is served from memory on the same proof a hit is (metrics and tests alike).
    for (let i = 0; i < versions.length; i++) notifyObserver(this.observer, (o) => o.readCacheRead('hit'));
    return versions;
  }

  /** The read model's epoch as of the last freshness check (CurrentVersions). */
  get epoch(): string | null {
    return this.readModelEpoch;
  }

  /**
   * The write path's part: 1. `beginWrite` before the transaction (so an event of a later write, read by the
   * feed before 2., keeps this answer out); 2. `endWrite` with the rows the transaction read back, after COMMIT
   * and before the mutation answers (with none if it failed). Read-your-writes itself does not rest on this:
   * the freshness check already sends a read to the database while any committed event is past the feed,
   * also one above the horizon that no feed can read yet (test/cluster/read-cache.test.ts holds a transaction
   * open to prove it). What this adds: once the feed has caught up, the next read of the shoe is a hit instead
   * of a miss that refills it.
   */
  beginWrite(shoeIds: readonly string[]): FillTicket[] {
    return this.enabled ? shoeIds.map((id) => this.rows.begin(id)) : [];
  }

  endWrite(tickets: readonly FillTicket[], rows: readonly ShoeRow[]): void {
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const ticket of tickets) this.rows.fill(ticket, byId.get(ticket.id) ?? null);
  }

  private served(row: ShoeRow): ShoeRow {
    notifyObserver(this.observer, (o) => o.readCacheRead('hit'));
    return row;
  }

  private async load(shoeId: string, result: ReadCacheResult): Promise<ShoeRow | null> {
    notifyObserver(this.observer, (o) => o.readCacheRead(result));
    const ticket = this.rows.begin(shoeId);
    let row: ShoeRow | null = null;
    try {
      row = await shoeById(this.dataSource, shoeId);
      return row;
    } finally {
      this.rows.fill(ticket, row);
    }
  }

  /** Current: nothing committed past the feed's position, same epoch. A new epoch clears (and answers no). */
  private async checkFreshness(): Promise<boolean> {
    const { behind, epoch } = await this.queryFreshness(this.feed.position);
    if (epoch !== this.readModelEpoch) {
      this.readModelEpoch = epoch;
      this.rows.clear();
      return false;
    }
    if (behind) this.feed.wake(); // usually a NOTIFY is already on its way; this only makes sure
    return !behind;
  }

  private async queryFreshness(position: string | null): Promise<{ behind: boolean; epoch: string | null }> {
    const { transactionId, globalPosition } = position === null ? LOG_START : decodePosition(position);
    if (!this.checks) throw new Error('ShoeReadCache is not running');
    const { rows } = await this.checks.query<{ behind: boolean; epoch: string | null }>({
      ...FRESHNESS,
      values: [transactionId, globalPosition],
    });
    return rows[0];
  }
}
