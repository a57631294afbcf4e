import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../event-store/event-store.module';
import { EventUpcastersModule } from '../event-store/event-upcasters.module';
import { WriteShoeHandler } from './commands/write-shoe.handler';
import { SHOE_EVENT_UPCASTERS } from './events/shoe-event.upcasters';
import { ShoeMutationsResolver } from './graphql/shoe-mutations.resolver';
import { ShoeQueriesResolver } from './graphql/shoe-queries.resolver';
import { ShoeSubscriptionsResolver } from './graphql/shoe-subscriptions.resolver';
import { GetShoeHandler } from './queries/get-shoe.query';
import { ListEventsHandler } from './queries/list-events.query';
import { ListShoesHandler } from './queries/list-shoes.query';
import { ShoeChanges } from './queries/shoe-changes.service';
import { ShoeReadCache } from './read-model/shoe-read.cache';
import { RatingGroupCommit } from './write/rating-group-commit';
import { ShoeWritePipeline } from './write/shoe-write-pipeline';

/** The shoes feature slice: GraphQL edge → CommandBus/QueryBus → handlers → event store and read model. */
@Module({
  imports: [
    CqrsModule,
    EventStoreModule,
    // Older shapes of shoe events, upcast on every read (src/shoes/events/shoe-event.upcasters.ts).
    EventUpcastersModule.forRoot(SHOE_EVENT_UPCASTERS),
  ],
  providers: [
    ShoeReadCache,
    ShoeWritePipeline,
    RatingGroupCommit,
    WriteShoeHandler,
    GetShoeHandler,
    ListShoesHandler,
    ListEventsHandler,
    ShoeChanges,
    ShoeQueriesResolver,
    ShoeMutationsResolver,
    ShoeSubscriptionsResolver,
  ],
})
export class ShoesModule {}
