import { PubSubEngine } from 'graphql-subscriptions';
import { EventFeed, EventFeedOptions, SubscriptionLaggedError } from '../../src/event-store/event-feed';
import { ALL_STREAMS, EventFeedPubSub, Lagged } from '../../src/event-store/event-feed.pub-sub';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store';
import { encodePosition, InvalidPositionError } from '../../src/event-store/position';
import { isSyncConsumable, SYNC_CONSUMER } from '../../src/event-store/sync-consumer';
import {
  appendLocked,
  eventually,
  newStreamId,
  openStoreKit,
  positions,
  readEverything,
  settledHead,
  sleep,
  StoreKit,
  testEvents,
} from './event-store-test-kit';

/** Small sizes, so a few hundred events cross every path: store pages, buffer pages, live, lag. */
const SMALL: EventFeedOptions = { pollIntervalMs: 100, bufferSize: 30, subscriberQueueSize: 50, pageSize: 7 };

let kit: StoreKit;
/** Another instance on the same database: its appends reach our feed only through NOTIFY. */
let otherInstance: EventStore;
const feeds: EventFeed[] = [];

beforeAll(async () => {
  kit = await openStoreKit(12);
  otherInstance = (await kit.openInstance(4)).store;
});

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
});

afterAll(() => kit.close());

async function startFeed(options: EventFeedOptions = SMALL, store = kit.store): Promise<EventFeed> {
  const feed = new EventFeed(store, options);
  feeds.push(feed);
  await feed.start();
  return feed;
}

/** The next `count` events of `subscription`, or a failure after `timeoutMs`. */
async function take(subscription: AsyncIterator<RecordedEvent>, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const next = await withTimeout(subscription.next(), deadline - Date.now());
    if (next.done) throw new Error(`subscription ended after ${events.length}/${count} events`);
    events.push(next.value);
  }
  return events;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), Math.max(ms, 0));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Appends `total` events over `streams` streams from `writers` concurrent writers, 1–3 events per transaction. */
async function appendConcurrently(store: EventStore, streams: string[], total: number, writers = 6): Promise<void> {
  let remaining = total;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (remaining > 0) {
        const count = Math.min(remaining, 1 + Math.floor(Math.random() * 3));
        remaining -= count;
        await appendLocked(store, streams[(w + remaining) % streams.length], testEvents(count));
      }
    }),
  );
}

async function lastRecordedPosition(store: EventStore): Promise<string> {
  const head = await settledHead(store);
  if (head === null) throw new Error('the log is empty');
  return head;
}

it('without `after`, a subscriber sees only events committed after it subscribed', async () => {
  const streamId = newStreamId();
  const [before] = await appendLocked(kit.store, streamId, testEvents(1, 'before'));
  expect(await lastRecordedPosition(kit.store)).toBe(before.position);
  const feed = await startFeed(); // starts at the store's head, which is `before`
  const subscription = feed.subscribe();
  const after = await appendLocked(kit.store, streamId, testEvents(2, 'after'));

  expect(positions(await take(subscription, 2))).toEqual(positions(after));
  await subscription.return();
});

it('hands every event to its onEvent followers once, in log order, before any subscriber of the instance gets it', async () => {
  const start = await settledHead(kit.store);
  const feed = await startFeed(); // at the store's head: `start`
  const followed: string[] = [];
  const stopFollowing = feed.onEvent((event) => followed.push(event.position));
  // A synchronous consumer takes each event inside the feed's publish: the earliest a subscriber can see one.
  const subscription = feed.subscribe();
  if (!isSyncConsumable<RecordedEvent>(subscription)) throw new Error('the feed subscription is synchronously consumable');
  const offered: { position: string; followedFirst: boolean; feedPosition: string | null }[] = [];
  subscription[SYNC_CONSUMER]({
    offer: (event) => {
      offered.push({ position: event.position, followedFirst: followed.includes(event.position), feedPosition: feed.position });
      return true;
    },
  });
  const streams = [newStreamId(), newStreamId()];
  await appendConcurrently(kit.store, streams, 40, 4);
  await appendLocked(otherInstance, streams[0], testEvents(2)); // through NOTIFY too
  await eventually(async () => (followed.length >= 42 ? true : undefined));

  expect(followed).toEqual(positions(await readEverything(kit.store, { after: start })));
  expect(offered.map((o) => o.position)).toEqual(followed);
  expect(offered.every((o) => o.followedFirst && o.feedPosition === o.position)).toBe(true);
  stopFollowing();
  await appendLocked(kit.store, streams[1], testEvents(1));
  await eventually(async () => (offered.length === 43 ? true : undefined));
  await subscription.return();
  expect(followed).toHaveLength(42); // stopped following: the subscriber got the 43rd, the follower did not
});

it('with `after`, replays from the store and the buffer, then goes live: no gap, no duplicate', async () => {
  const streams = Array.from({ length: 4 }, newStreamId);
  await appendConcurrently(kit.store, streams, 120);
  await lastRecordedPosition(kit.store); // the whole history is readable: a feed started now begins at its end
  const history = await readEverything(kit.store);
  const resumeAfter = history[history.length - 101].position; // 100 back: far older than the 30-event buffer
  const feed = await startFeed();
  const resumed = feed.subscribe({ after: resumeAfter });
  const live = feed.subscribe();
  const liveReceiving = take(live, 150);

  // The resumed subscriber reads slowly while 150 more events are appended concurrently.
  const writing = appendConcurrently(kit.store, streams, 150);
  const received: RecordedEvent[] = [];
  for (let i = 0; i < 40; i++) {
    received.push(...(await take(resumed, 1)));
    await sleep(2);
  }
  await writing;
  const end = await lastRecordedPosition(kit.store);
  const expected = await readEverything(kit.store, { after: resumeAfter });
  received.push(...(await take(resumed, expected.length - received.length)));

  expect(expected).toHaveLength(250);
  expect(expected.at(-1)?.position).toBe(end);
  expect(positions(received)).toEqual(positions(expected));
  expect(positions(await liveReceiving)).toEqual(positions(expected.slice(100)));
  await Promise.all([resumed.return(), live.return()]);
});

it('filters by stream, live and resumed', async () => {
  const [mine, other] = [newStreamId(), newStreamId()];
  const [first] = await appendLocked(kit.store, mine, testEvents(1));
  await appendLocked(kit.store, other, testEvents(40));
  await lastRecordedPosition(kit.store);
  const feed = await startFeed(); // after all of them: `first` is not in its buffer, so `resumed` reads the store
  const live = feed.subscribe({ streamId: mine });
  const resumed = feed.subscribe({ after: first.position, streamId: mine.toUpperCase() });

  for (let i = 0; i < 5; i++) {
    await appendLocked(kit.store, other, testEvents(2));
    await appendLocked(kit.store, mine, testEvents(1));
  }
  const mineLive = await take(live, 5);
  expect(mineLive.map((e) => [e.streamId, e.version])).toEqual([2, 3, 4, 5, 6].map((v) => [mine, v]));
  expect(positions(await take(resumed, 5))).toEqual(positions(mineLive));
  await Promise.all([live.return(), resumed.return()]);
});

it('wakes on LISTEN for another instance’s commit, without waiting for the timer, and reconnects', async () => {
  const applicationName = `tts-feed-test-${process.pid}`;
  const feed = await startFeed({ ...SMALL, pollIntervalMs: 600_000, applicationName, reconnectDelayMs: { initial: 300, max: 1000 } });
  const subscription = feed.subscribe();

  const started = Date.now();
  const [event] = await appendLocked(otherInstance, newStreamId(), testEvents(1));
  expect(positions(await take(subscription, 1, 5_000))).toEqual([event.position]);
  expect(Date.now() - started).toBeLessThan(5_000);

  // Kill the LISTEN connection, append while it is down: the reconnect's catch-up read delivers it.
  const listenerPid = () =>
    kit.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [
      applicationName,
    ]) as Promise<{ pid: number }[]>;
  const [{ pid }] = await listenerPid();
  await kit.dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
  const [missed] = await appendLocked(otherInstance, newStreamId(), testEvents(1));
  expect(positions(await take(subscription, 1, 5_000))).toEqual([missed.position]);
  const [reconnected] = await eventually(async () => {
    const rows = await listenerPid();
    return rows.length === 1 && rows[0].pid !== pid ? rows : undefined;
  });
  expect(reconnected.pid).not.toBe(pid);
  await subscription.return();
});

it('ends a subscriber that never reads with SubscriptionLaggedError while another keeps receiving', async () => {
  const startedAt = await settledHead(kit.store);
  const feed = await startFeed(); // starts at startedAt, the store's head
  const slow = feed.subscribe();
  const fast = feed.subscribe();
  const streamId = newStreamId();
  const receiving = take(fast, 80);
  for (let i = 0; i < 20; i++) await appendLocked(kit.store, streamId, testEvents(4));

  expect((await receiving).map((e) => e.version)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  const lagged = slow.next();
  await expect(lagged).rejects.toBeInstanceOf(SubscriptionLaggedError);
  await expect(lagged).rejects.toMatchObject({ lastPosition: startedAt });
  await expect(slow.next()).resolves.toEqual({ done: true, value: undefined });
  await fast.return();
});

it('return() ends a pending next() at once, live or while replaying from the store', async () => {
  const feed = await startFeed();
  const live = feed.subscribe();
  const pending = live.next();
  await live.return();
  await expect(withTimeout(pending, 100)).resolves.toEqual({ done: true, value: undefined });

  const [oldest] = await kit.store.readAll({ limit: 1 });
  const replaying = feed.subscribe({ after: oldest.position });
  const reading = replaying.next(); // starts a store read
  void replaying.return();
  await expect(withTimeout(reading, 100)).resolves.toEqual({ done: true, value: undefined });
  await expect(replaying.next()).resolves.toEqual({ done: true, value: undefined });
});

it('rejects a malformed `after` before subscribing, and subscribing to a stopped feed', async () => {
  const feed = await startFeed();
  expect(() => feed.subscribe({ after: 'garbage!' })).toThrow(InvalidPositionError);
  await feed.stop();
  expect(() => feed.subscribe()).toThrow(/not running/);
});

it('keeps following, replaying and checking cursors while every connection of its store’s pool is taken', async () => {
  // Under write load the mutations hold the app's whole pool; the feed reads on connections of its own.
  const starved = await kit.openInstance(2);
  const streamId = newStreamId();
  const history = await appendLocked(kit.store, streamId, testEvents(40)); // more than the 30-event buffer
  expect(await lastRecordedPosition(kit.store)).toBe(history.at(-1)!.position);
  const feed = await startFeed(SMALL, starved.store); // starts at the end of `history`
  const held = await Promise.all([0, 1].map(async () => {
    const runner = starved.dataSource.createQueryRunner();
    await runner.connect(); // no transaction: the horizon stays free
    return runner;
  }));
  try {
    const live = feed.subscribe({ streamId });
    const resumed = feed.subscribe({ after: history[0].position, streamId });
    await expect(feed.positionExists(history[0].position)).resolves.toBe(true);
    const more = await appendLocked(kit.store, streamId, testEvents(3));

    expect(positions(await take(live, 3))).toEqual(positions(more));
    expect(positions(await take(resumed, 42))).toEqual(positions([...history.slice(1), ...more]));
    await Promise.all([live.return(), resumed.return()]);
  } finally {
    await Promise.all(held.map((runner) => runner.release()));
  }
});

describe('EventFeedPubSub: the feed as graphql-subscriptions’ PubSubEngine', () => {
  const pubSubOf = (feed: EventFeed) => new EventFeedPubSub(feed);
  /** Collects what a subscribe() callback receives. */
  const inbox = () => {
    const messages: unknown[] = [];
    return { messages, onMessage: (message: unknown) => messages.push(message) };
  };

  it('given subscribe(streamId), when events are appended, then onMessage gets that stream’s only, until unsubscribe', async () => {
    const pubSub = pubSubOf(await startFeed());
    const [mine, other] = [newStreamId(), newStreamId()];
    const received = inbox();
    const id = await pubSub.subscribe(mine, received.onMessage);
    const sentinel = pubSub.asyncIterableIterator<RecordedEvent>(mine); // delivered in the same turn as `received`

    const appended = await appendLocked(kit.store, mine, testEvents(2));
    await appendLocked(kit.store, other, testEvents(1));
    await take(sentinel, 2);
    pubSub.unsubscribe(id);
    await appendLocked(kit.store, mine, testEvents(1));
    await take(sentinel, 1);

    expect(pubSub).toBeInstanceOf(PubSubEngine);
    expect(positions(received.messages as RecordedEvent[])).toEqual(positions(appended));
    await sentinel.return();
  });

  it('given `after`, when iterating asyncIterableIterator, then it replays from the store and goes on live, synchronously consumable', async () => {
    const streamId = newStreamId();
    const history = await appendLocked(kit.store, streamId, testEvents(40)); // more than the 30-event buffer
    const pubSub = pubSubOf(await startFeed());
    await pubSub.checkPosition(history[0].position);
    const iterator = pubSub.asyncIterableIterator<RecordedEvent>(streamId, { after: history[0].position });

    const more = await appendLocked(kit.store, streamId, testEvents(3));
    const received = await take(iterator, 42);

    expect(isSyncConsumable(iterator)).toBe(true);
    expect(positions(received)).toEqual(positions([...history.slice(1), ...more]));
    await iterator.return();
  });

  it('given ALL_STREAMS, then every stream’s events arrive in log order', async () => {
    const pubSub = pubSubOf(await startFeed());
    const iterator = pubSub.asyncIterableIterator<RecordedEvent>(ALL_STREAMS);
    const appended = [
      ...(await appendLocked(kit.store, newStreamId(), testEvents(1))),
      ...(await appendLocked(kit.store, newStreamId(), testEvents(1))),
    ];

    expect(positions(await take(iterator, 2))).toEqual(positions(appended));
    await iterator.return();
  });

  it('given several triggers, then the library’s own iterator delivers them live over subscribe()', async () => {
    const pubSub = pubSubOf(await startFeed());
    const [a, b] = [newStreamId(), newStreamId()];
    const iterator = pubSub.asyncIterableIterator<RecordedEvent>([a, b]);
    const first = iterator.next(); // subscribes (within this turn: no cursor to check)
    const [fromA] = await appendLocked(kit.store, a, testEvents(1));
    const [fromB] = await appendLocked(kit.store, b, testEvents(1));

    await expect(withTimeout(first, 5_000)).resolves.toMatchObject({ value: { position: fromA.position } });
    await expect(withTimeout(iterator.next(), 5_000)).resolves.toMatchObject({ value: { position: fromB.position } });
    expect(() => pubSub.asyncIterableIterator([a, b], { after: fromA.position })).toThrow(/one trigger/);
    await iterator.return();
  });

  it('given a consumer that stops reading, then its iterator ends with a Lagged item naming the last event it got', async () => {
    const pubSub = pubSubOf(await startFeed());
    const slow = pubSub.asyncIterableIterator<RecordedEvent | Lagged>(ALL_STREAMS);
    const fast = pubSub.asyncIterableIterator<RecordedEvent>(ALL_STREAMS);
    const streamId = newStreamId();
    const receiving = take(fast, 81);
    const [first] = await appendLocked(kit.store, streamId, testEvents(1));
    await expect(slow.next()).resolves.toEqual({ done: false, value: first });

    for (let i = 0; i < 20; i++) await appendLocked(kit.store, streamId, testEvents(4)); // 80 > the 50-event queue
    await receiving;

    await expect(slow.next()).resolves.toEqual({ done: false, value: { lagged: true, lastPosition: first.position } });
    await expect(slow.next()).resolves.toEqual({ done: true, value: undefined });
    await fast.return();
  });

  it('refuses unknown and malformed cursors, and publishing past the log', async () => {
    const pubSub = pubSubOf(await startFeed());
    const unknown = encodePosition('1', '999999999');

    await expect(pubSub.checkPosition(unknown)).rejects.toBeInstanceOf(InvalidPositionError);
    await expect(pubSub.subscribe(ALL_STREAMS, () => undefined, { after: unknown })).rejects.toBeInstanceOf(InvalidPositionError);
    expect(() => pubSub.asyncIterableIterator(ALL_STREAMS, { after: 'garbage!' })).toThrow(InvalidPositionError);
    await expect(pubSub.checkPosition(null)).resolves.toBeUndefined();
    await expect(pubSub.publish('anything', {})).rejects.toThrow(/append through EventStore/);
  });
});
