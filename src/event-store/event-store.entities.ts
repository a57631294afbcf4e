import { EventEntity } from './event.entity';
import { EventStreamEntity } from './event-stream.entity';

/** The event store's entities, for the DataSource's `entities` (with migration EventStore1732400000000). */
export const EVENT_STORE_ENTITIES = [EventStreamEntity, EventEntity];
