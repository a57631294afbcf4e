import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { EventFeed, SubscriptionLaggedError } from '../../event-store/event-feed';
import type { RecordedEvent } from '../../event-store/event-store';
import { InvalidPositionError } from '../../event-store/position';
import { isSyncConsumable, SYNC_CONSUMER, SyncConsumable } from '../../event-store/sync-consumer';
import type { ShoeEvent } from '../domain/shoe.events';
import type { ShoeRow } from '../read-model/shoe-row';
import { GetShoeQuery } from './get-shoe.query';

/** A subscription that fell behind ends with this item, so the client learns where to resume. */
export type Lagged = { lagged: true; lastPosition: string | null };

/**
 * Live reads for subscriptions. Both streams are fed by the event store's own gap-free order (through the
 * process-wide EventFeed), never by the in-process CQRS EventBus, which nobody awaits and which drops errors.
 */
@Injectable()
export class ShoeLiveStreams {
  private readonly reads = new SharedShoeReads((shoeId) => this.queryBus.execute(new GetShoeQuery(shoeId)));

  constructor(
    private readonly feed: EventFeed,
    private readonly queryBus: QueryBus,
  ) {}

  /** Every event after `after` (or from now), then live; ends with a Lagged item if the client falls behind. */
  async events(options: { after: string | null; shoeId: string | null }): Promise<AsyncIterableIterator<RecordedEvent<ShoeEvent> | Lagged>> {
    // On the feed's connections, like the replay that follows: under write load the app's pool is the mutations'.
    if (options.after !== null && !(await this.feed.positionExists(options.after))) throw new InvalidPositionError(options.after);
    const source = this.feed.subscribe({ after: options.after, streamId: options.shoeId ?? undefined });
    return endWithLagged(source as AsyncIterableIterator<RecordedEvent<ShoeEvent>>);
  }

  /** The shoe's read model after each of its events; the projection is inline, so it already reflects the event. */
  async changes(options: { shoeId: string | null }): Promise<AsyncIterableIterator<ShoeRow | Lagged>> {
    const events = await this.events({ after: null, shoeId: options.shoeId });
    const reads = this.reads;
    return closable(events, async (): Promise<IteratorResult<ShoeRow | Lagged>> => {
      try {
        for (;;) {
          const item = await events.next();
          if (item.done) return item;
          if ('lagged' in item.value) return { done: false, value: item.value };
          const shoe = await reads.shoeAfter(item.value);
          if (shoe) return { done: false, value: shoe };
        }
      } catch (err) {
        await events.return?.(); // a failed read ends the subscription, as leaving a for-await loop would
        throw err;
      }
    });
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
 * subscription (and its queue) until the next matching event arrived, which for a quiet shoe is never.
 */
function closable<T>(
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

/**
 * Every shoeChanged subscriber that receives an event needs the same row: one read per event, shared, instead of
 * one per subscriber (each open dashboard subscribes to all shoes). Keyed by the event's position, so a payload
 * still reflects at least its own event; the last few hundred reads are kept while subscribers catch up.
 */
export class SharedShoeReads {
  private readonly byPosition = new Map<string, Promise<ShoeRow | null>>();

  constructor(
    private readonly read: (shoeId: string) => Promise<ShoeRow | null>,
    private readonly keep = 512,
  ) {}

  shoeAfter(event: { position: string; streamId: string }): Promise<ShoeRow | null> {
    let shoe = this.byPosition.get(event.position);
    if (!shoe) {
      shoe = this.read(event.streamId);
      shoe.catch(() => this.byPosition.delete(event.position)); // a failed read is retried by the next subscriber
      this.byPosition.set(event.position, shoe);
      if (this.byPosition.size > this.keep) this.byPosition.delete(this.byPosition.keys().next().value!);
    }
    return shoe;
  }
}
