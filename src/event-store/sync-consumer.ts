/**
 * Synchronous consumption of a live stream, beside its async iteration. A fan-out to thousands of subscribers
 * cannot afford a chain of promises per event per subscriber (the cost of L was ~8 µs of CPU per delivery, most of
 * it in those chains); a consumer that can take an event at once (write it to a socket) registers a sink instead.
 *
 * A source that supports it (EventFeed's Subscription, and wrappers that pass its items on unchanged) has a
 * method under SYNC_CONSUMER. Contract:
 *   - while a sink is registered, every item goes to `offer`, in order, synchronously, as it arrives; `offer`
 *     returns false to refuse it for now (back-pressure), and the source then keeps it, and the ones after it, in
 *     its own queue (bounded as usual: overflowing ends the stream, as a slow async reader would);
 *   - the consumer calls `flush()` when it can take more: the queue is offered again, in order;
 *   - async iteration goes on beside it and yields only the end: `done`, or the stream's failure (and whatever a
 *     wrapper turns that into). Registering `null` hands queued items back to async iteration.
 */
export const SYNC_CONSUMER = Symbol('syncConsumer');

export type SyncSink<T> = { offer(item: T): boolean };
export type SyncControl = { flush(): void };
export type SyncConsumable<T> = { [SYNC_CONSUMER](sink: SyncSink<T> | null): SyncControl };

export function isSyncConsumable<T>(source: unknown): source is SyncConsumable<T> {
  return typeof (source as Partial<SyncConsumable<T>> | null)?.[SYNC_CONSUMER] === 'function';
}
