import type { RecordedEvent } from './recorded-event';

/**
 * Optional hooks for instrumentation (metrics). The event store knows nothing about how they are
 * recorded, so it stays free of prom-client and works without any: provide these tokens to observe it.
 * Observers are called on hot paths and must be cheap and never throw (a throw is swallowed).
 */
export const EVENT_STORE_OBSERVER = Symbol('EVENT_STORE_OBSERVER');
export const EVENT_FEED_OBSERVER = Symbol('EVENT_FEED_OBSERVER');

export interface EventStoreObserver {
  /** After a COMMIT through EventStore.transaction: how many events it appended to streams of this type. */
  eventsAppended(streamType: string, count: number): void;
}

export interface EventFeedObserver {
  /** The feed's subscriptions (replaying or live) changed; `active` is how many are open now. */
  subscriptionsChanged(active: number): void;
  /**
   * A new event was handed to `subscribers` live subscribers (not replayed history): one call per event, not per
   * subscriber, because under fan-out to thousands a call each was a measurable share of the work.
   */
  eventDelivered(event: RecordedEvent, subscribers: number): void;
  /** One read of the store: `follow` reads new events of the log, `replay` serves a subscriber's history. */
  storeRead(kind: 'follow' | 'replay'): void;
  /** The LISTEN connection was lost (or could not be opened) and a reconnect is scheduled. */
  listenReconnect(): void;
}

/** Calls `observer` if there is one; instrumentation must never turn a committed write or a read into an error. */
export function notifyObserver<O>(observer: O | null | undefined, call: (observer: O) => void): void {
  if (!observer) return;
  try {
    call(observer);
  } catch {
    // deliberately ignored: see above
  }
}
