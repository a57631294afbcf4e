import { decodePosition, encodePosition } from './position';
import type { RecordedEvent } from './recorded-event';
import { FeedEntry, Subscription, SubscriptionSource } from './event-subscription';
import { SubscriptionLaggedError } from './subscription-lagged.error';
import { SYNC_CONSUMER } from './sync-consumer';

const entry = (n: number): FeedEntry => ({
  event: { position: encodePosition('100', String(n)), streamId: 's', version: n } as RecordedEvent,
  key: (100n << 64n) + BigInt(n),
});

/** A source whose history is events 1..history, served in pages of `page`. */
function source(history = 0, page = 2) {
  const reads: number[] = [];
  const detached: Subscription[] = [];
  const src: SubscriptionSource = {
    async advance(subscription) {
      const from = subscription.cursor === null ? 1 : Number(decodePosition(subscription.cursor).globalPosition) + 1;
      reads.push(from);
      const entries = [];
      for (let n = from; n <= history && entries.length < page; n++) entries.push(entry(n));
      if (entries.length === 0) subscription.goLive([]);
      else subscription.acceptPage(entries);
    },
    detach: (subscription) => void detached.push(subscription),
  };
  return { src, reads, detached };
}

/** A synchronous consumer that takes events while `open`. */
function sink() {
  const taken: number[] = [];
  const state = { open: true };
  return { taken, state, offer: (event: RecordedEvent) => (state.open ? (taken.push(event.version), true) : false) };
}

describe('Subscription with a synchronous consumer', () => {
  it('given a consumer, then live events go to it in order, and next() only learns of the end', async () => {
    const { src } = source();
    const subscription = new Subscription(src, null, null, 10, 'live');
    const consumer = sink();
    subscription[SYNC_CONSUMER](consumer);
    const end = subscription.next();
    [1, 2, 3].forEach((n) => subscription.deliver(entry(n)));
    expect(consumer.taken).toEqual([1, 2, 3]);

    await subscription.return();
    await expect(end).resolves.toEqual({ done: true, value: undefined });
  });

  it('given a consumer that refuses, then events queue in order until flush(), and overflow ends it as lagged after what it took', async () => {
    const { src } = source();
    const subscription = new Subscription(src, null, null, 3, 'live');
    const consumer = sink();
    const control = subscription[SYNC_CONSUMER](consumer);
    const end = subscription.next();
    subscription.deliver(entry(1));
    consumer.state.open = false;
    [2, 3].forEach((n) => subscription.deliver(entry(n)));
    expect(consumer.taken).toEqual([1]);
    control.flush();
    expect(consumer.taken).toEqual([1]); // still refusing: still queued
    consumer.state.open = true;
    control.flush();
    expect(consumer.taken).toEqual([1, 2, 3]);
    consumer.state.open = false;
    subscription.deliver(entry(4));
    consumer.state.open = true;
    subscription.deliver(entry(5)); // offered only after 4, which waited
    expect(consumer.taken).toEqual([1, 2, 3, 4, 5]);

    consumer.state.open = false;
    [6, 7, 8, 9].forEach((n) => subscription.deliver(entry(n)));
    await expect(end).rejects.toBeInstanceOf(SubscriptionLaggedError);
    await expect(end).rejects.toMatchObject({ lastPosition: entry(5).event.position });
    await expect(subscription.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('given the consumer leaves, then what it left queued comes through next(), in order', async () => {
    const { src } = source();
    const subscription = new Subscription(src, null, null, 10, 'live');
    const consumer = sink();
    subscription[SYNC_CONSUMER](consumer);
    consumer.state.open = false;
    [1, 2].forEach((n) => subscription.deliver(entry(n)));
    subscription[SYNC_CONSUMER](null);
    subscription.deliver(entry(3));

    const versions = [];
    for (let i = 0; i < 3; i++) versions.push(((await subscription.next()).value as RecordedEvent).version);
    expect(versions).toEqual([1, 2, 3]);
    expect(consumer.taken).toEqual([]);
  });

  it('given a replaying subscription, then history goes to the consumer page by page, read only once the queue is empty', async () => {
    const { src, reads } = source(5, 2);
    const subscription = new Subscription(src, null, null, 10, 'replaying');
    const consumer = sink();
    consumer.state.open = false;
    const control = subscription[SYNC_CONSUMER](consumer);
    const end = subscription.next(); // the consumer's demand: replay starts
    await new Promise((r) => setImmediate(r));
    expect(reads).toEqual([1]); // one page read, refused, held: no more reads
    consumer.state.open = true;
    control.flush();
    for (let i = 0; i < 10 && subscription.isReplaying; i++) await new Promise((r) => setImmediate(r));
    expect(consumer.taken).toEqual([1, 2, 3, 4, 5]);
    expect(subscription.isReplaying).toBe(false);

    subscription.deliver(entry(6));
    expect(consumer.taken).toEqual([1, 2, 3, 4, 5, 6]);
    await subscription.return();
    await expect(end).resolves.toEqual({ done: true, value: undefined });
  });
});
