import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventStoreModule } from '../event-store/event-store.module';
import { EventUpcastersModule } from '../event-store/event-upcasters.module';
import { CreateShoeHandler } from './commands/create-shoe.handler';
import { ImportTrueToSizesHandler } from './commands/import-true-to-sizes.handler';
import { RenameShoeHandler } from './commands/rename-shoe.handler';
import { RetractTrueToSizeHandler } from './commands/retract-true-to-size.handler';
import { RatingGroupCommit } from './commands/rating-group-commit';
import { ShoeCommandRunner } from './commands/shoe-command-runner';
import { SubmitTrueToSizeHandler } from './commands/submit-true-to-size.handler';
import { SHOE_EVENT_UPCASTERS } from './events/shoe-event.upcasters';
import { ShoeMutationsResolver } from './graphql/shoe-mutations.resolver';
import { ShoeQueriesResolver } from './graphql/shoe-queries.resolver';
import { ShoeSubscriptionsResolver } from './graphql/shoe-subscriptions.resolver';
import { ShoeEntity, ShoeRatingEntity, IdempotencyKeyEntity } from './projections/shoe.entity';
import { GetShoeHandler } from './queries/get-shoe.query';
import { ListEventsHandler } from './queries/list-events.query';
import { ListShoesHandler } from './queries/list-shoes.query';
import { ShoeChanges } from './queries/shoe-changes.service';

/** The shoes feature slice: GraphQL edge → CommandBus/QueryBus → handlers → event store and read model. */
@Module({
  imports: [
    CqrsModule,
    EventStoreModule,
    // Older shapes of shoe events, upcast on every read (src/shoes/events/shoe-event.upcasters.ts).
    EventUpcastersModule.forRoot(SHOE_EVENT_UPCASTERS),
    TypeOrmModule.forFeature([ShoeEntity, ShoeRatingEntity, IdempotencyKeyEntity]),
  ],
  providers: [
    ShoeCommandRunner,
    RatingGroupCommit,
    CreateShoeHandler,
    RenameShoeHandler,
    SubmitTrueToSizeHandler,
    RetractTrueToSizeHandler,
    ImportTrueToSizesHandler,
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
