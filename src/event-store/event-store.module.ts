import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { EVENT_FEED_OPTIONS, EventFeed, EventFeedOptions } from './event-feed';
import { EventFeedPubSub } from './event-feed.pub-sub';
import { EventStore } from './event-store';

/**
 * EventStore (needs the app's TypeORM DataSource, e.g. from TypeOrmModule.forRoot) and the process's
 * EventFeed, which starts on module init and stops on destroy. Provide EVENT_FEED_OPTIONS to tune it.
 * Subscriptions listen through EventFeedPubSub, the feed as graphql-subscriptions' PubSubEngine.
 * Register the EventStore1732400000000 migration on the DataSource (the store's SQL needs no entities).
 * Upcasters of older event shapes come from EventUpcastersModule.forRoot (global), imported once per app.
 */
@Module({
  providers: [
    EventStore,
    EventFeed,
    EventFeedPubSub,
    // The app's settings tune the feed (ConfigModule is global).
    {
      provide: EVENT_FEED_OPTIONS,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): EventFeedOptions => ({
        subscriberQueueSize: config.settings.feedSubscriberQueueSize,
        replayPoolSize: config.settings.feedReplayPoolSize,
      }),
    },
  ],
  exports: [EventStore, EventFeed, EventFeedPubSub],
})
export class EventStoreModule {}
