import { Args, Extensions, ID, Resolver, Subscription } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { parseId } from '../../graphql/invalid-argument.error';
import { SHARED_EXECUTION } from '../../graphql/shared-subscription-results';
import { ALL_STREAMS, EventFeedPubSub, Lagged } from '../../event-store/event-feed.pub-sub';
import type { RecordedEvent } from '../../event-store/event-store';
import type { ShoeEvent } from '../domain/shoe.events';
import type { ShoeRow } from '../read-model/shoe-row';
import { ShoeChanges } from '../queries/shoe-changes.service';
import { ShoeEventModel, ShoeEventView } from './shoe-event.model';
import { toShoeEventView, toShoeModel } from './shoe.mapper';
import { ShoeModel } from './shoe.model';

/** A lagged subscriber gets one error naming where to resume, then the subscription completes. */
function laggedError(item: Lagged): GraphQLError {
  return new GraphQLError('subscriber fell too far behind; resubscribe with `after: extensions.lastPosition`', {
    extensions: { code: 'SUBSCRIPTION_LAGGED', lastPosition: item.lastPosition },
  });
}

/** The pub-sub trigger of one shoe (its stream) or, without an id, of every shoe. */
function shoeTrigger(argument: string, id: string | null): string {
  return id ? parseId(argument, id) : ALL_STREAMS;
}

/**
 * Both subscriptions listen through the event log's PubSubEngine (EventFeedPubSub), filtered by shoe through its
 * triggers. Both carry SHARED_EXECUTION: nothing under an event or a shoe depends on who subscribed (the identity
 * only decides whether a socket may connect), so subscribers sending the same document and variables share one
 * execution per event (src/graphql/shared-subscription-results.ts).
 */
@Resolver()
export class ShoeSubscriptionsResolver {
  constructor(
    private readonly pubSub: EventFeedPubSub,
    private readonly changes: ShoeChanges,
  ) {}

  @Subscription(() => ShoeEventModel, {
    description:
      'Every newly applied event in log order, starting at the end of the log when opened; with `after`, first every event after it, then live: ' +
      'no gap, no duplicate, in order, across reconnects and server instances. SUBSCRIPTION_LAGGED (extensions.lastPosition) ends it when the subscriber falls too far behind.',
    resolve: (item: RecordedEvent<ShoeEvent> | Lagged): ShoeEventView => {
      if ('lagged' in item) throw laggedError(item);
      return toShoeEventView(item);
    },
  })
  @Extensions(SHARED_EXECUTION)
  async shoeEvents(
    @Args('shoeId', { type: () => ID, nullable: true, description: "Only this shoe's events (UUID, any letter case; BAD_USER_INPUT when malformed)." })
    shoeId: string | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: "Replay from after this event: an event's `position` or cursor, e.g. a lagged subscription's extensions.lastPosition; BAD_USER_INPUT when malformed.",
    })
    after: string | null,
  ) {
    const trigger = shoeTrigger('shoeId', shoeId);
    await this.pubSub.checkPosition(after);
    return this.pubSub.asyncIterableIterator<RecordedEvent<ShoeEvent> | Lagged>(trigger, { after });
  }

  @Subscription(() => ShoeModel, {
    description:
      "The shoe's read model each time its projection changes (all shoes when `id` is omitted); each payload reflects at least the event that caused it. " +
      'SUBSCRIPTION_LAGGED (extensions.lastPosition) ends it when the subscriber falls too far behind.',
    resolve: (item: ShoeRow | Lagged): ShoeModel => {
      if ('lagged' in item) throw laggedError(item);
      return toShoeModel(item);
    },
  })
  @Extensions(SHARED_EXECUTION)
  shoeChanged(@Args('id', { type: () => ID, nullable: true, description: 'Only this shoe (UUID, any letter case; BAD_USER_INPUT when malformed).' }) id: string | null) {
    return this.changes.after(this.pubSub.asyncIterableIterator(shoeTrigger('id', id)));
  }
}
