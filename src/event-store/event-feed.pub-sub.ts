import { Injectable, Logger } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import type { PubSubAsyncIterableIterator } from 'graphql-subscriptions/dist/pubsub-async-iterable-iterator';
import { EventFeed } from './event-feed';
import { InvalidPositionError } from './position';
import { SubscriptionLaggedError } from './subscription-lagged.error';
import { isSyncConsumable, SYNC_CONSUMER, SyncConsumable } from './sync-consumer';

/** The trigger of every stream's events; any other trigger is one stream's id. */
export const ALL_STREAMS = '*';

/** A subscription that fell behind ends with this item (then done), so the client learns where to resume. */
export type Lagged = { lagged: true; lastPosition: string | null };

/** `after`: replay every event after this cursor, then go on live; null or absent: only what the feed reads from now on. */
export type FeedSubscribeOptions = { after?: string | null };

/**
 * graphql-subscriptions' PubSubEngine over the process's EventFeed: the face subscription resolvers listen through.
 * Not an in-memory PubSub: events come from the PostgreSQL log, in its gap-free order, whichever instance wrote them.
 *
 * Triggers filter by stream through the feed's own per-stream index rather than `withFilter`: a subscriber of one
 * stream then costs nothing for the others' events, and its iterator stays synchronously consumable
 * (sync-consumer.ts), which withFilter's promise chain per event and subscriber would hide from the direct socket
 * writes of src/graphql/shared-subscription-results.ts (L's fan-out speed).
 *
 * A trigger names a topic, as in every PubSubEngine; where to start in the log is an option: subscribe's own third
 * argument, and a second argument of asyncIterableIterator (the interface's takes triggers only, which would leave a
 * cursor to be spelled into the trigger's name).
 */
@Injectable()
export class EventFeedPubSub extends PubSubEngine {
  private readonly logger = new Logger(EventFeedPubSub.name);
  private readonly subscriptions = new Map<number, AsyncIterator<unknown>>();
  private lastId = 0;

  constructor(private readonly feed: EventFeed) {
    super();
  }

  /**
   * Refuses. An event enters the log only through EventStore's append, in the transaction that decides it (its
   * stream version, the read model updated with it); that commit wakes every instance's feed (a local nudge, NOTIFY),
   * which delivers it here. A payload published past the log would have no position, so no replay and no order.
   */
  override publish(_trigger: string, _payload: unknown): Promise<void> {
    return Promise.reject(new Error('EventFeedPubSub delivers the event log: append through EventStore instead of publishing'));
  }

  /**
   * Calls `onMessage` with every event of `trigger` (and a final Lagged item if it fell behind), until unsubscribe.
   * A failure (a replay read, a throwing onMessage) ends it with a log line: the interface has no error channel.
   */
  override async subscribe(trigger: string, onMessage: (message: unknown) => void, options: FeedSubscribeOptions = {}): Promise<number> {
    await this.checkPosition(options.after);
    const iterator = this.open(trigger, options);
    const id = ++this.lastId;
    this.subscriptions.set(id, iterator);
    void (async () => {
      for await (const message of iterator) onMessage(message);
    })()
      .catch((error: unknown) => this.logger.warn(`Subscription ${id} to ${trigger} ended: ${String(error)}`))
      .finally(() => this.subscriptions.delete(id));
    return id;
  }

  override unsubscribe(id: number): void {
    void this.subscriptions.get(id)?.return?.();
    this.subscriptions.delete(id);
  }

  /**
   * The events of one trigger after `options.after` (or from now), in log order, ending with a Lagged item if the
   * consumer lets its queue fill up; synchronously consumable like the feed's own subscription. Throws
   * InvalidPositionError for a malformed `after`; an unknown one is checkPosition's to refuse.
   */
  override asyncIterableIterator<T>(triggers: string | readonly string[], options: FeedSubscribeOptions = {}): PubSubAsyncIterableIterator<T> {
    if (typeof triggers !== 'string' && triggers.length !== 1) {
      // Several streams: the library's iterator over subscribe(), live only (a replay would need a merge in log order).
      if (options.after != null) throw new Error('EventFeedPubSub replays one trigger at a time');
      return super.asyncIterableIterator(triggers);
    }
    // PubSubEngine names the library's own iterator class as the type (nominal: private fields); this one is used alike.
    return this.open(typeof triggers === 'string' ? triggers : triggers[0], options) as unknown as PubSubAsyncIterableIterator<T>;
  }

  /**
   * Throws InvalidPositionError unless `after` (if given) names a recorded event. Apart from asyncIterableIterator,
   * which is synchronous by the interface while this reads the log: a resolver awaits it first, so that a bad cursor
   * fails the subscribe request itself (BAD_USER_INPUT) instead of the stream after it started.
   */
  async checkPosition(after: string | null | undefined): Promise<void> {
    if (after != null && !(await this.feed.positionExists(after))) throw new InvalidPositionError(after);
  }

  private open(trigger: string, options: FeedSubscribeOptions): AsyncIterableIterator<unknown> {
    return endWithLagged(this.feed.subscribe({ after: options.after, streamId: trigger === ALL_STREAMS ? undefined : trigger }));
  }
}

/**
 * Ends with a Lagged item (then done) instead of the feed's SubscriptionLaggedError. Events pass through unchanged,
 * so a synchronous consumer (sync-consumer.ts) may take them straight from the feed: only the end comes this way.
 */
function endWithLagged<T>(source: AsyncIterableIterator<T>): AsyncIterableIterator<T | Lagged> {
  let last: string | null = null;
  let ended = false;
  return closable(source, async (): Promise<IteratorResult<T | Lagged>> => {
    if (ended) return { done: true, value: undefined };
    try {
      const item = await source.next();
      if (!item.done) last = (item.value as { position?: string }).position ?? last;
      return item;
    } catch (err) {
      ended = true;
      await source.return?.();
      if (!(err instanceof SubscriptionLaggedError)) throw err;
      return { done: false, value: { lagged: true, lastPosition: err.lastPosition ?? last } };
    }
  }, isSyncConsumable<T>(source) ? source : undefined);
}

/**
 * An iterator whose return() reaches `source` at once. Not an async generator: a generator queues
 * return() behind its pending `await source.next()`, so a client that disconnected would keep its feed
 * subscription (and its queue) until the next matching event arrived, which for a quiet stream is never.
 */
export function closable<T>(
  source: AsyncIterator<unknown>,
  next: () => Promise<IteratorResult<T>>,
  items?: SyncConsumable<T>,
): AsyncIterableIterator<T> & Partial<SyncConsumable<T>> {
  return {
    next,
    async return(): Promise<IteratorResult<T>> {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
    // Only where `next` passes the source's items on unchanged (`items` is that source).
    ...(items ? { [SYNC_CONSUMER]: (sink) => items[SYNC_CONSUMER](sink) } : {}),
  };
}
