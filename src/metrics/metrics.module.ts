import { Global, Module } from '@nestjs/common';
import { EVENT_FEED_OBSERVER, EVENT_STORE_OBSERVER } from '../event-store/event-store.observer';
import { READ_CACHE_OBSERVER } from './read-cache.observer';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics and the app's MetricsService. Global, so the event store's optional observer tokens
 * resolve wherever EventStoreModule is imported, and the GraphQL options factory can inject the service.
 * Needs the app's TypeORM DataSource (for the pool gauges).
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    { provide: EVENT_STORE_OBSERVER, useExisting: MetricsService },
    { provide: EVENT_FEED_OBSERVER, useExisting: MetricsService },
    { provide: READ_CACHE_OBSERVER, useExisting: MetricsService },
  ],
  exports: [MetricsService, EVENT_STORE_OBSERVER, EVENT_FEED_OBSERVER, READ_CACHE_OBSERVER],
})
export class MetricsModule {}
