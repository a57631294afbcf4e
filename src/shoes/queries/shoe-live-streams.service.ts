import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { EventFeed, SubscriptionLaggedError } from '../../event-store/event-feed';
import type { RecordedEvent } from '../../event-store/event-store';
import { EventStore } from '../../event-store/event-store';
import { InvalidPositionError } from '../../event-store/position';
import type { ShoeEvent } from '../domain/shoe.events';
import type { ShoeEntity } from '../projections/shoe.entity';
import { GetShoeQuery } from './get-shoe.query';

/** A subscription that fell behind ends with this item, so the client learns where to resume. */
export type Lagged = { lagged: true; lastPosition: string | null };

/**
 * Live reads for subscriptions. Both streams are fed by the event store's own gap-free order (through the
 * process-wide EventFeed), never by the in-process CQRS EventBus, which nobody awaits and which drops errors.
 */
@Injectable()
export class ShoeLiveStreams {
  constructor(
    private readonly feed: EventFeed,
    private readonly store: EventStore,
    private readonly queryBus: QueryBus,
  ) {}

  /** Every event after `after` (or from now), then live; ends with a Lagged item if the client falls behind. */
  async events(options: { after: string | null; shoeId: string | null }): Promise<AsyncGenerator<RecordedEvent<ShoeEvent> | Lagged>> {
    if (options.after !== null && !(await this.store.positionExists(options.after))) throw new InvalidPositionError(options.after);
    const source = this.feed.subscribe({ after: options.after, streamId: options.shoeId ?? undefined });
    return endWithLagged(source as AsyncIterableIterator<RecordedEvent<ShoeEvent>>);
  }

  /** The shoe's read model after each of its events; the projection is inline, so it already reflects the event. */
  async changes(options: { shoeId: string | null }): Promise<AsyncGenerator<ShoeEntity | Lagged>> {
    const events = await this.events({ after: null, shoeId: options.shoeId });
    const queryBus = this.queryBus;
    return (async function* (): AsyncGenerator<ShoeEntity | Lagged> {
      for await (const item of events) {
        if ('lagged' in item) return yield item;
        const shoe = await queryBus.execute(new GetShoeQuery(item.streamId));
        if (shoe) yield shoe;
      }
    })();
  }
}

async function* endWithLagged<T>(source: AsyncIterableIterator<T>): AsyncGenerator<T | Lagged> {
  let last: string | null = null;
  try {
    for await (const event of source) {
      last = (event as { position?: string }).position ?? last;
      yield event;
    }
  } catch (err) {
    if (!(err instanceof SubscriptionLaggedError)) throw err;
    yield { lagged: true, lastPosition: err.lastPosition ?? last };
  } finally {
    await source.return?.();
  }
}
