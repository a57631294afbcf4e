import { ConcurrencyError } from '../../src/event-store/concurrency.error';
import { EventFeed, EventFeedOptions, EventSubscription } from '../../src/event-store/event-feed';
import { EventStore, RecordedEvent } from '../../src/event-store/event-store';
import type { EventFeedObserver, EventStoreObserver } from '../../src/event-store/event-store.observer';
import { MetricsService } from '../../src/metrics/metrics.service';
import { appendLocked, eventually, newStreamId, openStoreKit, StoreKit, testEvents } from '../event-store/event-store-test-kit';
import { parsePrometheusText, valueOf } from './prometheus-text';

/** The event store's and the feed's observer hooks, driven against real PostgreSQL, read back through MetricsService. */
const FEED: EventFeedOptions = { pollIntervalMs: 100, bufferSize: 30, subscriberQueueSize: 50, pageSize: 7 };

let kit: StoreKit;
let metrics: MetricsService;
let store: EventStore;
const feeds: EventFeed[] = [];

beforeAll(async () => {
  kit = await openStoreKit(6);
  metrics = new MetricsService(kit.dataSource);
  store = new EventStore(kit.dataSource, metrics);
});
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
});
afterAll(() => kit.close());

async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
  return valueOf(parsePrometheusText(await metrics.scrape()), name, labels);
}

async function startFeed(options: EventFeedOptions = FEED, observer: EventFeedObserver = metrics): Promise<EventFeed> {
  const feed = new EventFeed(store, options, observer);
  feeds.push(feed);
  await feed.start();
  return feed;
}

async function take(subscription: EventSubscription, count: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  while (events.length < count) {
    const next = await subscription.next();
    if (next.done) throw new Error(`subscription ended after ${events.length}/${count} events`);
    events.push(next.value);
  }
  return events;
}

const appended = (streamType: string) => value('tts_events_appended_total', { stream_type: streamType });

it('counts appended events by stream type when their transaction commits, and nothing for a rollback', async () => {
  const before = await appended('test');
  const streamId = newStreamId();
  await appendLocked(store, streamId, testEvents(3));
  await store.transaction(async (tx) => {
    await store.lockStreams(tx, [streamId, newStreamId()]);
    await store.append(tx, streamId, 'test', testEvents(2), { expectedVersion: 3, occurredAt: new Date() });
  });
  expect(await appended('test')).toBe(before + 5);

  const rolledBack = appendLocked(store, newStreamId(), testEvents(4), async () => {
    throw new Error('decided against it');
  });
  await expect(rolledBack).rejects.toThrow('decided against it');
  const conflicting = store.transaction(async (tx) => {
    await store.lockStreams(tx, [streamId]);
    await store.append(tx, streamId, 'test', testEvents(1), { expectedVersion: 1, occurredAt: new Date() });
  });
  await expect(conflicting).rejects.toBeInstanceOf(ConcurrencyError);
  expect(await appended('test')).toBe(before + 5);
});

it('an observer that throws never fails a write, nor the store working without one', async () => {
  const throwing: EventStoreObserver = {
    eventsAppended: () => {
      throw new Error('broken metrics');
    },
  };
  await expect(appendLocked(new EventStore(kit.dataSource, throwing), newStreamId(), testEvents(1))).resolves.toHaveLength(1);
  await expect(appendLocked(new EventStore(kit.dataSource), newStreamId(), testEvents(1))).resolves.toHaveLength(1);
});

it('counts replay and follow reads, times only live hand-overs, and tracks open subscriptions', async () => {
  const streamId = newStreamId();
  const history = await appendLocked(store, streamId, testEvents(10));
  // The log may trail a commit (an open transaction anywhere holds the horizon back): start the feed past
  // the history, so that resuming from its first event has to read the store.
  await eventually(async () => ((await store.headPosition()) === history[9].position ? true : undefined));
  const feed = await startFeed();
  const replayReads = await value('tts_event_feed_catch_up_reads_total', { kind: 'replay' });
  const delivered = await value('tts_subscription_delivery_lag_seconds_count');

  const resumed = feed.subscribe({ after: history[0].position, streamId });
  expect(await value('tts_subscriptions_active')).toBe(1);
  expect((await take(resumed, 9)).map((e) => e.version)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // 9 events at 7 a page: at least two store reads; none of them was a live hand-over.
  expect(await value('tts_event_feed_catch_up_reads_total', { kind: 'replay' })).toBeGreaterThanOrEqual(replayReads + 2);
  expect(await value('tts_subscription_delivery_lag_seconds_count')).toBe(delivered);

  const live = feed.subscribe({ streamId });
  expect(await value('tts_subscriptions_active')).toBe(2);
  const next = Promise.all([take(resumed, 1), take(live, 1)]); // asking for more takes `resumed` live
  await appendLocked(store, streamId, testEvents(1));
  await next;
  expect(await value('tts_subscription_delivery_lag_seconds_count')).toBe(delivered + 2);
  expect(await value('tts_subscription_delivery_lag_seconds_bucket', { le: '+Inf' })).toBe(delivered + 2);
  expect(await value('tts_event_feed_catch_up_reads_total', { kind: 'follow' })).toBeGreaterThan(0);

  await resumed.return();
  expect(await value('tts_subscriptions_active')).toBe(1);
  await feed.stop();
  expect(await value('tts_subscriptions_active')).toBe(0);
});

it('counts LISTEN reconnects', async () => {
  const applicationName = `tts-metrics-test-${process.pid}`;
  await startFeed({ ...FEED, applicationName, reconnectDelayMs: { initial: 50, max: 200 } });
  const before = await value('tts_event_feed_listen_reconnects_total');
  const [{ pid }]: { pid: number }[] = await kit.dataSource.query(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
    [applicationName],
  );
  await kit.dataSource.query(`SELECT pg_terminate_backend($1)`, [pid]);
  const after = await eventually(async () => {
    const count = await value('tts_event_feed_listen_reconnects_total');
    return count > before ? count : undefined;
  });
  expect(after).toBe(before + 1);
});

it('a feed observer that throws never breaks delivery', async () => {
  const throwing: EventFeedObserver = {
    subscriptionsChanged: () => {
      throw new Error('broken metrics');
    },
    eventDelivered: () => {
      throw new Error('broken metrics');
    },
    storeRead: () => {
      throw new Error('broken metrics');
    },
    listenReconnect: () => {
      throw new Error('broken metrics');
    },
  };
  const feed = await startFeed(FEED, throwing);
  const streamId = newStreamId();
  const subscription = feed.subscribe({ streamId });
  const [event] = await appendLocked(store, streamId, testEvents(1));
  expect((await take(subscription, 1))[0].position).toBe(event.position);
  await subscription.return();
});
