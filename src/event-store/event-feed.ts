import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { preparedStatement } from '../database/prepared-statements';
import { EventStore, SqlRunner } from './event-store';
import { EVENT_FEED_OBSERVER, EventFeedObserver, notifyObserver } from './event-store.observer';
import { EVENTS_CHANNEL } from './event-store.sql';
import { EventSubscription, FeedEntry, Subscription, SubscriptionSource } from './event-subscription';
import { pgClientConfig } from './pg-client-config';
import { positionSortKey } from './position';
import type { EventShape, RecordedEvent } from './recorded-event';
import { RingBuffer } from './ring-buffer';

export type { EventSubscription } from './event-subscription';
export { SubscriptionLaggedError } from './subscription-lagged.error';

export const EVENT_FEED_OPTIONS = Symbol('EVENT_FEED_OPTIONS');

export type EventFeedOptions = {
  /** Safety-net poll, for hints that never came (default 1,000 ms). */
  pollIntervalMs?: number;
  /** Recent events kept in memory for subscribers that resume close to now (default 10,000). */
  bufferSize?: number;
  /** Events a live subscriber may have unread before it is ended as lagged (default 1,000). */
  subscriberQueueSize?: number;
  /** Page size of every read from the store (default 500). */
  pageSize?: number;
  /** Backoff of LISTEN reconnects (default 100 ms doubling up to 10,000 ms). */
  reconnectDelayMs?: { initial: number; max: number };
  /**
   * Shown in pg_stat_activity for the LISTEN connection (default 'tts-event-feed'); the feed's read connections
   * show it with `:follow` and `:replay` appended.
   */
  applicationName?: string;
  /** Connections of the feed's own for replaying subscribers' history (default 2; opened on demand). */
  replayPoolSize?: number;
};

export type SubscribeOptions = {
  /** Replay every event after this cursor first; null/absent = only events after the feed's head. */
  after?: string | null;
  streamId?: string;
};

/** A pg.Pool of the feed's own, and the same as a SqlRunner (rows, like DataSource.query). */
type ReadPool = { pool: Pool; runner: SqlRunner };

/** After a commit hint finds nothing (still above the horizon), re-read this many times, backing off. */
const HINT_RETRIES = 10;
const HINT_FIRST_RETRY_MS = 10;

/**
 * The process's single reader of the global log, fanning new events out to subscribers.
 *
 * It reads (readAll from its last position, page by page) whenever it is woken:
 *   - by a NOTIFY on `tts_events` (any instance's commit), on one dedicated LISTEN connection that
 *     reconnects with backoff and catches up when it comes back;
 *   - by EventStore.transaction right after a local commit that appended;
 *   - by a periodic timer, the safety net for anything else.
 * A hint can arrive while the new events are still above the horizon (an older transaction is still
 * open somewhere), so an empty read after a hint is retried a few times with backoff.
 *
 * The last `bufferSize` events stay in a ring buffer: a subscriber resuming after a cursor inside it
 * replays from memory; an older cursor is replayed from the store first. Either way the hand-over to
 * live delivery happens synchronously, between two reads, so there is no gap and no duplicate.
 *
 * It reads on connections of its own, never from the app's pool: under write load every connection of that
 * pool is busy with a mutation and a read queued there waits its turn (seconds), so every subscriber would
 * trail the writes by that long. Following the log takes one connection (reads are one at a time), replays a
 * small pool beside it, so many clients resuming at once never hold up the live stream either.
 */
@Injectable()
export class EventFeed implements OnModuleInit, OnModuleDestroy, SubscriptionSource {
  private readonly logger = new Logger(EventFeed.name);
  private readonly settings: Required<EventFeedOptions>;
  private buffer: RingBuffer<FeedEntry>;
  /** Last event read. */
  private head: string | null = null;
  /** Every event after `floor` up to `head` is in the buffer (floor = last evicted event). */
  private floor: string | null = null;
  private floorKey = -1n;
  private readonly subscriptions = new Set<Subscription>();
  private readonly unfiltered = new Set<Subscription>();
  private readonly byStream = new Map<string, Set<Subscription>>();
  private readonly followers = new Set<(event: RecordedEvent) => void>();
  private running = false;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private pollFailing = false;
  private hintPending = false;
  private hintAttempt = 0;
  private hintTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private listener: Client | null = null;
  /** Follows the log: one connection, one read at a time. */
  private follow: ReadPool | null = null;
  /** Replays subscribers' history and checks their `after` cursors. */
  private replay: ReadPool | null = null;
  private readonly lostListeners = new WeakSet<Client>();
  private reconnectTimer?: NodeJS.Timeout;
  private reconnectDelay: number;
  private stopCommitNudges?: () => void;

  constructor(
    private readonly store: EventStore,
    @Optional() @Inject(EVENT_FEED_OPTIONS) options: EventFeedOptions | null = null,
    @Optional() @Inject(EVENT_FEED_OBSERVER) private readonly observer: EventFeedObserver | null = null,
  ) {
    this.settings = {
      pollIntervalMs: 1_000,
      bufferSize: 10_000,
      subscriberQueueSize: 1_000,
      pageSize: 500,
      reconnectDelayMs: { initial: 100, max: 10_000 },
      applicationName: 'tts-event-feed',
      replayPoolSize: 2,
      ...options,
    };
    this.buffer = new RingBuffer(this.settings.bufferSize);
    this.reconnectDelay = this.settings.reconnectDelayMs.initial;
  }

  onModuleInit(): Promise<void> {
    return this.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /**
   * 1. start at the store's head (subscribers without `after` see what commits from now on);
   * 2. take local commit nudges and start the safety-net timer;
   * 3. LISTEN, then read once to cover anything committed between 1 and 3.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const follow = this.openPool('follow', 1);
    const replay = this.openPool('replay', this.settings.replayPoolSize);
    let head: string | null;
    try {
      head = await this.store.headPosition(follow.runner);
    } catch (error) {
      await Promise.allSettled([follow.pool.end(), replay.pool.end()]);
      throw error;
    }
    this.follow = follow;
    this.replay = replay;
    this.buffer = new RingBuffer(this.settings.bufferSize);
    this.head = this.floor = head;
    this.floorKey = positionSortKey(head);
    this.running = true;
    this.stopCommitNudges = this.store.onAppendCommitted(() => this.onHint());
    this.pollTimer = setInterval(() => this.wake(), this.settings.pollIntervalMs);
    this.pollTimer.unref();
    await this.connectListener();
    this.wake();
  }

  /** Stops reading, closes the LISTEN connection and ends every subscription (done). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.hintTimer);
    clearTimeout(this.reconnectTimer);
    this.stopCommitNudges?.();
    const listener = this.listener;
    this.listener = null;
    await Promise.allSettled([listener?.end(), this.polling]);
    for (const subscription of [...this.subscriptions]) void subscription.return();
    // After the subscriptions ended: a replay read still in flight finishes on its connection first.
    const pools = [this.follow?.pool, this.replay?.pool];
    this.follow = this.replay = null;
    await Promise.allSettled(pools.map((pool) => pool?.end()));
  }

  /** Whether `cursor` names a recorded event (on the feed's replay connections). Throws InvalidPositionError if malformed. */
  positionExists(cursor: string): Promise<boolean> {
    if (!this.replay) throw new Error('EventFeed is not running: call start() first (Nest does on init)');
    return this.store.positionExists(cursor, this.replay.runner);
  }

  /**
   * Events after `after` (or, without it, after the feed's head), then live ones, in log order,
   * optionally only one stream's. Throws InvalidPositionError for a malformed `after`.
   */
  subscribe<E extends EventShape = EventShape>(options: SubscribeOptions = {}): EventSubscription<E> {
    if (!this.running) throw new Error('EventFeed is not running: call start() first (Nest does on init)');
    const after = options.after ?? null;
    positionSortKey(after); // validates before anything is registered
    const streamId = options.streamId?.toLowerCase() ?? null;
    const { subscriberQueueSize } = this.settings;
    const mode = after === null ? 'live' : 'replaying';
    const subscription = new Subscription(this, streamId, after ?? this.head, subscriberQueueSize, mode);
    this.subscriptions.add(subscription);
    notifyObserver(this.observer, (o) => o.subscriptionsChanged(this.subscriptions.size));
    if (mode === 'live') this.attach(subscription);
    return subscription as unknown as EventSubscription<E>;
  }

  /**
   * The last event this instance's feed has read (null: none since the log's start). Every event at or before it
   * in the log's order has been handed to the followers (`onEvent`): the feed reads gap-free, below the horizon.
   */
  get position(): string | null {
    return this.head;
  }

  /**
   * Calls `listener` synchronously for every event the feed reads, in log order, BEFORE any subscriber of this
   * instance is handed that event (a cache invalidated here is never behind what a local subscriber saw). It runs
   * on the feed's hot path: keep it cheap, and it must not throw (a throw is logged and ignored). Returns an
   * unsubscribe.
   */
  onEvent(listener: (event: RecordedEvent) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  /** Reads the log now, or right after the read in flight. */
  wake(): void {
    if (!this.running) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.pollLoop().finally(() => {
      this.polling = null;
    });
  }

  /** SubscriptionSource: one replay step (history older than the buffer from the store, else the buffer). */
  async advance(subscription: Subscription): Promise<void> {
    if (!this.running) throw new Error('EventFeed stopped');
    if (subscription.cursorKey >= this.floorKey) return this.replayFromBuffer(subscription);
    // Bounded by the floor: events up to it are final (the feed has read past them), and the ones
    // after it are in the buffer, which the next step serves.
    const until = this.floor as string;
    const { pageSize } = this.settings;
    notifyObserver(this.observer, (o) => o.storeRead('replay'));
    const events = await this.store.readAll({
      after: subscription.cursor,
      until,
      limit: pageSize,
      streamId: subscription.streamId ?? undefined,
      via: (this.replay as ReadPool).runner,
    });
    subscription.acceptPage(events.map(toEntry), events.length < pageSize ? until : undefined);
  }

  /** SubscriptionSource: forgets an ended subscription. */
  detach(subscription: Subscription): void {
    this.subscriptions.delete(subscription);
    notifyObserver(this.observer, (o) => o.subscriptionsChanged(this.subscriptions.size));
    this.unfiltered.delete(subscription);
    const streamSubscribers = subscription.streamId === null ? undefined : this.byStream.get(subscription.streamId);
    streamSubscribers?.delete(subscription);
    if (streamSubscribers?.size === 0) this.byStream.delete(subscription.streamId as string);
  }

  /**
   * Hands the buffered rest of the history over and attaches the subscriber, synchronously (no event
   * can be published in between). If more is buffered than half its queue, it gets a page instead,
   * so attaching never starts a subscriber close to lagging.
   */
  private replayFromBuffer(subscription: Subscription): void {
    if (!subscription.isReplaying) return;
    const room = Math.max(1, Math.floor(this.settings.subscriberQueueSize / 2));
    const pending = this.buffered(subscription, room + 1);
    if (pending.length > room) return subscription.acceptPage(pending.slice(0, room));
    this.attach(subscription);
    subscription.goLive(pending);
  }

  private buffered(subscription: Subscription, max: number): FeedEntry[] {
    const entries: FeedEntry[] = [];
    const start = this.buffer.firstIndexWhere((entry) => entry.key > subscription.cursorKey);
    for (let index = start; index < this.buffer.size && entries.length < max; index++) {
      const entry = this.buffer.at(index);
      if (subscription.streamId === null || entry.event.streamId === subscription.streamId) entries.push(entry);
    }
    return entries;
  }

  private attach(subscription: Subscription): void {
    if (subscription.streamId === null) {
      this.unfiltered.add(subscription);
      return;
    }
    const streamSubscribers = this.byStream.get(subscription.streamId) ?? new Set<Subscription>();
    streamSubscribers.add(subscription);
    this.byStream.set(subscription.streamId, streamSubscribers);
  }

  private async pollLoop(): Promise<void> {
    do {
      this.pollAgain = false;
      const read = await this.readNewEvents().then(
        (count) => this.pollSucceeded(count),
        (error: unknown) => this.pollFailed(error),
      );
      this.retryHint(read);
    } while (this.pollAgain && this.running);
  }

  /** Reads pages from the head until a short page; returns how many events were read. */
  private async readNewEvents(): Promise<number> {
    let total = 0;
    for (;;) {
      notifyObserver(this.observer, (o) => o.storeRead('follow'));
      const events = await this.store.readAll({ after: this.head, limit: this.settings.pageSize, via: (this.follow as ReadPool).runner });
      if (!this.running) return total;
      for (const event of events) this.publish(toEntry(event));
      total += events.length;
      if (events.length < this.settings.pageSize) return total;
    }
  }

  private publish(entry: FeedEntry): void {
    const evicted = this.buffer.push(entry);
    if (evicted) {
      this.floor = evicted.event.position;
      this.floorKey = evicted.key;
    }
    for (const follower of this.followers) {
      try {
        follower(entry.event);
      } catch (error) {
        this.logger.error(`An event follower failed: ${describe(error)}`);
      }
    }
    this.head = entry.event.position;
    // Handing the event to its live subscribers is the moment its delivery lag is measured.
    let delivered = 0;
    for (const subscription of this.unfiltered) {
      subscription.deliver(entry);
      delivered++;
    }
    const streamSubscribers = this.byStream.get(entry.event.streamId);
    if (streamSubscribers) {
      for (const subscription of streamSubscribers) {
        subscription.deliver(entry);
        delivered++;
      }
    }
    if (delivered > 0) notifyObserver(this.observer, (o) => o.eventDelivered(entry.event, delivered));
  }

  private pollSucceeded(count: number): number {
    if (this.pollFailing) this.logger.log('Reading the event log works again');
    this.pollFailing = false;
    return count;
  }

  /** Logged once per outage; the timer and the next hint retry. */
  private pollFailed(error: unknown): number {
    if (!this.pollFailing && this.running) this.logger.error(`Reading the event log failed: ${describe(error)}`);
    this.pollFailing = true;
    return 0;
  }

  /** A commit appended somewhere (NOTIFY or local nudge): read now. */
  private onHint(): void {
    this.hintPending = true;
    this.hintAttempt = 0;
    this.wake();
  }

  /** The hinted events may still be above the horizon: read again soon, backing off, until some arrive. */
  private retryHint(read: number): void {
    if (read > 0 || this.hintAttempt >= HINT_RETRIES) this.hintPending = false;
    if (!this.hintPending || this.hintTimer || !this.running) return;
    const delay = Math.min(HINT_FIRST_RETRY_MS * 2 ** this.hintAttempt, this.settings.pollIntervalMs);
    this.hintAttempt += 1;
    this.hintTimer = setTimeout(() => {
      this.hintTimer = undefined;
      this.wake();
    }, delay);
  }

  /**
   * A pool of the feed's own on the app's database. A connection that breaks (a PostgreSQL restart) is dropped by
   * the pool and replaced by the next read; until then reads fail, and the timer and hints retry them (the
   * follow reader) or the subscriber is ended with the error (a replay, as before), so nothing else is needed.
   */
  private openPool(role: 'follow' | 'replay', max: number): ReadPool {
    const pool = new Pool({
      ...pgClientConfig(this.store.dataSource.options, `${this.settings.applicationName}:${role}`),
      max,
      // The follower reads at least every pollIntervalMs: keep its connection. Replay connections close when idle.
      idleTimeoutMillis: role === 'follow' ? 0 : 10_000,
    });
    // An idle connection that dies emits here (and would crash the process unhandled); the next read reconnects.
    pool.on('error', (error) => this.logger.debug(`An idle ${role} connection of the event feed failed: ${describe(error)}`));
    // Named statements: the feed's reads are a few constant texts, each run many times a second under load.
    return { pool, runner: { query: async (sql, params) => (await pool.query(preparedStatement(sql, params ?? []))).rows } };
  }

  /** 1. connect; 2. LISTEN; 3. read, to catch up on commits nobody was listening for. */
  private async connectListener(): Promise<void> {
    this.reconnectTimer = undefined;
    const client = new Client(pgClientConfig(this.store.dataSource.options, this.settings.applicationName));
    client.on('notification', () => this.onHint());
    client.on('error', (error) => this.listenerLost(client, error));
    client.on('end', () => this.listenerLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      return this.listenerLost(client, error);
    }
    if (!this.running) return void client.end().catch(() => undefined);
    this.listener = client;
    this.reconnectDelay = this.settings.reconnectDelayMs.initial;
    this.wake();
  }

  /** Every failure path of a LISTEN connection ends here once: close it, reconnect with backoff. */
  private listenerLost(client: Client, error?: unknown): void {
    if (this.lostListeners.has(client)) return;
    this.lostListeners.add(client);
    if (this.listener === client) this.listener = null;
    client.end().catch(() => undefined);
    if (!this.running) return;
    const delay = this.reconnectDelay;
    this.logger.warn(`LISTEN ${EVENTS_CHANNEL} connection lost (${describe(error)}); reconnecting in ${delay} ms`);
    this.reconnectDelay = Math.min(delay * 2, this.settings.reconnectDelayMs.max);
    this.reconnectTimer = setTimeout(() => void this.connectListener(), delay);
    notifyObserver(this.observer, (o) => o.listenReconnect());
  }
}

function toEntry(event: RecordedEvent): FeedEntry {
  return { event, key: positionSortKey(event.position) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : error === undefined ? 'connection ended' : String(error);
}
