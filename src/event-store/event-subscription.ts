import { positionSortKey } from './position';
import type { EventShape, RecordedEvent } from './recorded-event';
import { SubscriptionLaggedError } from './subscription-lagged.error';
import { SYNC_CONSUMER, SyncConsumable, SyncControl, SyncSink } from './sync-consumer';

/** An event with its sort key computed once (the feed compares positions on every fan-out). */
export type FeedEntry = { event: RecordedEvent; key: bigint };

/** What EventFeed.subscribe returns: iterate it; `return()` unsubscribes at once, even mid-await. */
export type EventSubscription<E extends EventShape = EventShape> = AsyncIterableIterator<RecordedEvent<E>> & {
  return(): Promise<IteratorResult<RecordedEvent<E>>>;
};

/** What a replaying subscription needs from its feed. */
export interface SubscriptionSource {
  /** Moves a replaying subscription forward: hands it the next page of history, or attaches it live. */
  advance(subscription: Subscription): Promise<void>;
  /** Forgets a subscription that ended. */
  detach(subscription: Subscription): void;
}

type Outcome = { result: IteratorResult<RecordedEvent> } | { error: unknown };
type Waiter = { resolve(result: IteratorResult<RecordedEvent>): void; reject(error: unknown): void };

/**
 * One consumer's view of the log, as an async iterator. It goes through two modes:
 *   1. replaying: pulls history page by page (from the store, then from the feed's ring buffer) only
 *      as fast as the consumer asks, so catching up needs no queue;
 *   2. live: attached to the feed, which pushes each new event into a bounded queue; a consumer that
 *      lets the queue fill up is ended with SubscriptionLaggedError.
 * `cursor` is the last event handed to the queue; it only moves forward, so nothing is delivered twice.
 *
 * A synchronous consumer (sync-consumer.ts) may take the events instead of `next()`: each one is offered as it
 * arrives, and the queue only fills while the consumer refuses (so it lags exactly like a slow async reader).
 */
export class Subscription implements AsyncIterableIterator<RecordedEvent>, SyncConsumable<RecordedEvent> {
  cursor: string | null;
  cursorKey: bigint;
  private mode: 'replaying' | 'live' | 'ended';
  private backlog: FeedEntry[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: unknown = null;
  private advancing = false;
  private lastYielded: string | null;
  private sink: SyncSink<RecordedEvent> | null = null;
  private readonly control: SyncControl = { flush: () => this.settle() };

  constructor(
    private readonly source: SubscriptionSource,
    readonly streamId: string | null,
    start: string | null,
    private readonly maxQueue: number,
    mode: 'replaying' | 'live',
  ) {
    this.cursor = start;
    this.cursorKey = positionSortKey(start);
    this.lastYielded = start;
    this.mode = mode;
  }

  get isReplaying(): boolean {
    return this.mode === 'replaying';
  }

  next(): Promise<IteratorResult<RecordedEvent>> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.settle();
    });
  }

  return(): Promise<IteratorResult<RecordedEvent>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Events go to `sink` as they come (null: back to `next()`); see sync-consumer.ts. */
  [SYNC_CONSUMER](sink: SyncSink<RecordedEvent> | null): SyncControl {
    this.sink = sink;
    this.settle();
    return this.control;
  }

  /** Replay: a page of history. `exhaustedUpTo`: there is nothing more up to that position. */
  acceptPage(entries: FeedEntry[], exhaustedUpTo?: string): void {
    if (this.mode !== 'replaying') return;
    this.backlog.push(...entries);
    const last = entries.at(-1);
    if (last) this.moveCursor(last.event.position, last.key);
    if (exhaustedUpTo !== undefined && positionSortKey(exhaustedUpTo) > this.cursorKey) {
      this.moveCursor(exhaustedUpTo, positionSortKey(exhaustedUpTo));
    }
  }

  /** Replay is over: `entries` are the rest of the buffered history; the feed delivers from now on. */
  goLive(entries: FeedEntry[]): void {
    this.mode = 'live';
    this.acceptLive(entries);
  }

  /** Live: one new event. Skips what is at or before the cursor; lags the consumer if its queue is full. */
  deliver(entry: FeedEntry): void {
    if (this.mode !== 'live' || entry.key <= this.cursorKey) return;
    // A synchronous consumer takes it at once, unless older events still wait for it (order) or it refuses.
    if (this.sink && this.backlog.length === 0 && this.offer(entry)) return this.moveCursor(entry.event.position, entry.key);
    if (this.backlog.length >= this.maxQueue) return this.fail(new SubscriptionLaggedError(this.lastYielded));
    this.acceptLive([entry]);
  }

  /** Ends the subscription; the consumer's next `next()` rejects with `error`. */
  fail(error: unknown): void {
    if (this.mode === 'ended') return;
    this.failure = error;
    this.end();
  }

  private acceptLive(entries: FeedEntry[]): void {
    this.backlog.push(...entries);
    const last = entries.at(-1);
    if (last) this.moveCursor(last.event.position, last.key);
    this.settle();
  }

  private moveCursor(position: string, key: bigint): void {
    this.cursor = position;
    this.cursorKey = key;
  }

  private end(): void {
    if (this.mode === 'ended') return;
    this.mode = 'ended';
    this.backlog = [];
    this.source.detach(this);
    this.settle();
  }

  /**
   * Offers the backlog to a synchronous consumer while it takes it; answers waiting `next()` calls from the backlog
   * (never while a consumer is registered: it gets the events), then the failure, then "done"; else fetches more.
   */
  private settle(): void {
    while (this.sink && this.backlog.length > 0 && this.offer(this.backlog[0])) this.backlog.shift();
    while (this.waiters.length > 0) {
      const outcome = this.take();
      if (!outcome) break;
      const waiter = this.waiters.shift() as Waiter;
      if ('error' in outcome) waiter.reject(outcome.error);
      else waiter.resolve(outcome.result);
    }
    // More history only once the queue is empty: a consumer that refuses holds the replay back, not memory.
    if (this.waiters.length > 0 && this.backlog.length === 0 && this.mode === 'replaying') this.advance();
  }

  /** Hands one event to the synchronous consumer; false if it refused. */
  private offer(entry: FeedEntry): boolean {
    if (!(this.sink as SyncSink<RecordedEvent>).offer(entry.event)) return false;
    this.lastYielded = entry.event.position;
    return true;
  }

  private take(): Outcome | null {
    if (this.sink && this.backlog.length > 0) return null;
    const entry = this.backlog.shift();
    if (entry) {
      this.lastYielded = entry.event.position;
      return { result: { done: false, value: entry.event } };
    }
    if (this.failure !== null) {
      const error = this.failure;
      this.failure = null;
      return { error };
    }
    return this.mode === 'ended' ? { result: { done: true, value: undefined } } : null;
  }

  /** One replay step at a time; each step either queues events, moves the cursor, or goes live. */
  private advance(): void {
    if (this.advancing) return;
    this.advancing = true;
    this.source.advance(this).then(
      () => {
        this.advancing = false;
        this.settle();
      },
      (error: unknown) => {
        this.advancing = false;
        this.fail(error);
      },
    );
  }
}
