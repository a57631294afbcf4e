import { Module } from '@nestjs/common';
import { EventFeed } from './event-feed';
import { EventStore } from './event-store';

/**
 * EventStore (needs the app's TypeORM DataSource, e.g. from TypeOrmModule.forRoot) and the process's
 * EventFeed, which starts on module init and stops on destroy. Provide EVENT_FEED_OPTIONS to tune it.
 * Register EVENT_STORE_ENTITIES and the EventStore1732400000000 migration on the DataSource.
 */
@Module({
  providers: [EventStore, EventFeed],
  exports: [EventStore, EventFeed],
})
export class EventStoreModule {}
