import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { EventStoreModule } from '../event-store/event-store.module';
import { EventUpcastersModule } from '../event-store/event-upcasters.module';
import { CURRENT_VERSIONS } from '../event-store/read-set';
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
    // For the GraphQL edge's answer cache and ETags (src/graphql/http-cache.plugin.ts); none with the cache off.
    { provide: CURRENT_VERSIONS, inject: [ShoeReadCache], useFactory: (cache: ShoeReadCache) => (cache.enabled ? cache : null) },
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
  exports: [CURRENT_VERSIONS],
})
export class ShoesModule {}
