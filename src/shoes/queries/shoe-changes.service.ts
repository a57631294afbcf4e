import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { closable, Lagged } from '../../event-store/event-feed.pub-sub';
import type { ShoeRow } from '../read-model/shoe-row';
import { GetShoeQuery } from './get-shoe.query';

type LogEvent = { position: string; streamId: string; version: number };
type LogItem = LogEvent | Lagged;

/** shoeChanged's payloads: the shoe's read model after each of its events (the projection is inline, so it reflects the event). */
@Injectable()
export class ShoeChanges {
  private readonly reads = new SharedShoeReads((event) => this.queryBus.execute(new GetShoeQuery(event.streamId, event.version)));

  constructor(private readonly queryBus: QueryBus) {}

  /** The shoe after each event of `events` (nothing for an event of no shoe); a final Lagged item passes on as it is. */
  after(events: AsyncIterableIterator<LogItem>): AsyncIterableIterator<ShoeRow | Lagged> {
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
 * Every shoeChanged subscriber that receives an event needs the same row: one read per event, shared, instead of
 * one per subscriber (each open dashboard subscribes to all shoes). Keyed by the event's position, so a payload
 * still reflects at least its own event; the last few hundred reads are kept while subscribers catch up.
 */
export class SharedShoeReads {
  private readonly byPosition = new Map<string, Promise<ShoeRow | null>>();

  constructor(
    private readonly read: (event: LogEvent) => Promise<ShoeRow | null>,
    private readonly keep = 512,
  ) {}

  shoeAfter(event: LogEvent): Promise<ShoeRow | null> {
    let shoe = this.byPosition.get(event.position);
    if (!shoe) {
      shoe = this.read(event);
      shoe.catch(() => this.byPosition.delete(event.position)); // a failed read is retried by the next subscriber
      this.byPosition.set(event.position, shoe);
      if (this.byPosition.size > this.keep) this.byPosition.delete(this.byPosition.keys().next().value!);
    }
    return shoe;
  }
}
