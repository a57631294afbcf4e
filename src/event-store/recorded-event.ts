/** What the domain produces: a plain typed union of `{ type, data }` (Emmett style). */
export type EventShape = { type: string; data: unknown };

/** An event to append: the domain event plus optional envelope fields. */
export type NewEvent<E extends EventShape = EventShape> = E & {
  /** Version of `data`'s shape for this `type` (default: the type's current one, see upcasting.ts). */
  schemaVersion?: number;
  /** Correlation, causation, user and the like; never read by the domain (default {}). */
  metadata?: Record<string, unknown>;
};

/** The envelope the store adds to every event it records. */
export type EventEnvelope = {
  /** Opaque cursor in the global log (see position.ts); pass it back as `after`. */
  position: string;
  /** The bigserial alone, as a decimal string (not an ordering: use `position`). */
  globalPosition: string;
  streamId: string;
  streamType: string;
  /** 1-based, gap-free within the stream. */
  version: number;
  /** Always the type's current version: readers get events already upcast (upcasting.ts). */
  schemaVersion: number;
  metadata: Record<string, unknown>;
  occurredAt: Date;
};

/**
 * A recorded event, generic over the event union. It distributes over the union, so
 * `switch (event.type)` narrows `event.data` for `RecordedEvent<ShoeEvent>`.
 */
export type RecordedEvent<E extends EventShape = EventShape> = E extends EventShape
  ? EventEnvelope & { type: E['type']; data: E['data'] }
  : never;
