import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EventStore, RecordedEvent } from '../../event-store/event-store';
import { InvalidPositionError } from '../../event-store/position';
import type { ShoeEvent } from '../domain/shoe.events';

export type EventPage = { events: RecordedEvent<ShoeEvent>[]; hasNextPage: boolean };

export class ListEventsQuery extends Query<EventPage> {
  constructor(readonly page: { first: number; after: string | null; shoeId: string | null }) {
    super();
  }
}

/** The event log is the one read that goes to the store itself: it is the log, oldest first, gap-free. */
@QueryHandler(ListEventsQuery)
export class ListEventsHandler implements IQueryHandler<ListEventsQuery> {
  constructor(private readonly store: EventStore) {}

  async execute({ page }: ListEventsQuery): Promise<EventPage> {
    // A well-formed cursor naming no event is as wrong as a malformed one: the client did not get it from us.
    if (page.after !== null && !(await this.store.positionExists(page.after))) throw new InvalidPositionError(page.after);
    const events = await this.store.readAll<ShoeEvent>({
      after: page.after,
      limit: page.first + 1,
      streamId: page.shoeId ?? undefined,
    });
    return { events: events.slice(0, page.first), hasNextPage: events.length > page.first };
  }
}
