import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { recordedPgPool } from '../database/pg-pool';
import type { EventFeedObserver, EventStoreObserver } from '../event-store/event-store.observer';
import type { RecordedEvent } from '../event-store/recorded-event';
import type { ReadCacheObserver, ReadCacheResult } from './read-cache.observer';
import { BoundedLabelValues } from './bounded-label-values';
import { BulkHistogram } from './bulk-histogram';

type PoolLabel = 'pool';

/** Operation names are client text: beyond this many distinct ones, new names are counted as "other". */
export const MAX_OPERATION_NAMES = 200;
/** Error codes come from our own mapping, but a cap costs nothing and guards against a code built from input. */
const MAX_OUTCOMES = 50;

const OPERATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Every metric of one app instance, on a registry of its own rather than prom-client's global one:
 * tests start several apps in one process, and each must count only its own work. It observes the
 * event store and its feed through their optional observer interfaces (provided by MetricsModule),
 * so those stay free of prom-client. Pool gauges are read at scrape time, never polled.
 */
@Injectable()
export class MetricsService implements EventStoreObserver, EventFeedObserver, ReadCacheObserver {
  readonly registry = new Registry();
  private readonly operationNames = new BoundedLabelValues(MAX_OPERATION_NAMES);
  private readonly outcomes = new BoundedLabelValues(MAX_OUTCOMES);

  private readonly operations = new Counter({
    name: 'tts_graphql_operations_total',
    help: 'GraphQL operations over HTTP, by operation name, type and outcome ("ok" or the first error code).',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly operationSeconds = new Histogram({
    name: 'tts_graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL operation over HTTP to sending its response.',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: OPERATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly appendedEvents = new Counter({
    name: 'tts_events_appended_total',
    help: 'Events appended to the event store by committed transactions of this instance, by stream type.',
    labelNames: ['stream_type'] as const,
    registers: [this.registry],
  });
  private readonly activeSubscriptions = new Gauge({
    name: 'tts_subscriptions_active',
    help: "Open subscriptions to this instance's event feed (replaying or live).",
    registers: [this.registry],
  });
  /** Observed once per delivery, so a bulk histogram: one call per event for all its subscribers (bulk-histogram.ts). */
  private readonly deliveryLag = new BulkHistogram(
    'tts_subscription_delivery_lag_seconds',
    "Time from an event's occurredAt to handing it to a live subscriber; over-estimates by the command's duration.",
    LAG_BUCKETS,
    this.registry,
  );
  private readonly catchUpReads = new Counter({
    name: 'tts_event_feed_catch_up_reads_total',
    help: 'Reads of the event store by the feed: "follow" reads new events of the log, "replay" serves a subscriber\'s history.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly listenReconnects = new Counter({
    name: 'tts_event_feed_listen_reconnects_total',
    help: 'Reconnects of the LISTEN connection scheduled after it was lost or could not be opened.',
    registers: [this.registry],
  });

  private readonly readCacheReads = new Counter({
    name: 'tts_read_cache_reads_total',
    help: '`shoe(id)` reads by how the read cache answered: "hit" from memory, "miss" not cached, "behind" cached but not provably current (read from the database).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  private readonly answerCacheReads = new Counter({
    name: 'tts_answer_cache_reads_total',
    help: 'Query operations the answer cache could serve (anonymous, root fields known): "hit" answered from memory without executing, "miss" executed.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(private readonly dataSource: DataSource) {
    for (const result of ['hit', 'miss', 'behind'] as const) this.readCacheReads.inc({ result }, 0);
    for (const result of ['hit', 'miss'] as const) this.answerCacheReads.inc({ result }, 0);
    // Zero series exist from the start, so rate() and absence alerts work before the first occurrence.
    this.catchUpReads.inc({ kind: 'follow' }, 0);
    this.catchUpReads.inc({ kind: 'replay' }, 0);
    this.poolGauge('tts_db_pool_connections', 'Open connections in the database pool (busy and idle).', (p) => p.totalCount);
    this.poolGauge('tts_db_pool_idle_connections', 'Idle connections in the database pool.', (p) => p.idleCount);
    this.poolGauge('tts_db_pool_waiting_requests', 'Requests queued for a connection of the database pool.', (p) => p.waitingCount);
    this.poolGauge('tts_db_pool_max_connections', 'Size limit of the database pool.', (p) => p.options.max);
    // Process metrics are prefixed too, so everything this service exports is found under tts_.
    collectDefaultMetrics({ register: this.registry, prefix: 'tts_' });
  }

  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** One GraphQL operation answered over HTTP. `name` is client text: it is capped here. */
  operationFinished(name: string, type: string, outcome: string, seconds: number): void {
    const labels = { operation: this.operationNames.of(name), type, outcome: this.outcomes.of(outcome) };
    this.operations.inc(labels);
    this.operationSeconds.observe(labels, seconds);
  }

  eventsAppended(streamType: string, count: number): void {
    this.appendedEvents.inc({ stream_type: streamType }, count);
  }

  subscriptionsChanged(active: number): void {
    this.activeSubscriptions.set(active);
  }

  /**
   * Events carry only `occurredAt`, the command's clock read just before its transaction began, not the
   * commit time: so this lag over-estimates by the command's own duration (lock wait, decide, append,
   * commit), and across instances it also includes their clock difference. Clamped at zero for the latter.
   */
  eventDelivered(event: RecordedEvent, subscribers: number): void {
    this.deliveryLag.observe(Math.max(0, (Date.now() - event.occurredAt.getTime()) / 1000), subscribers);
  }

  storeRead(kind: 'follow' | 'replay'): void {
    this.catchUpReads.inc({ kind });
  }

  readCacheRead(result: ReadCacheResult): void {
    this.readCacheReads.inc({ result });
  }

  answerCacheRead(hit: boolean): void {
    this.answerCacheReads.inc({ result: hit ? 'hit' : 'miss' });
  }

  listenReconnect(): void {
    this.listenReconnects.inc();
  }

  /**
   * A gauge of the TypeORM DataSource's pool (label `pool="primary"`), read when scraped. A DataSource not made with
   * dataSourceOptions() has no known pool (pg-pool.ts) and so no such series.
   */
  private poolGauge(name: string, help: string, read: (pool: Pool) => number | undefined): void {
    const dataSource = this.dataSource;
    new Gauge<PoolLabel>({
      name,
      help,
      labelNames: ['pool'],
      registers: [this.registry],
      collect() {
        this.reset();
        const pool = recordedPgPool(dataSource);
        const value = pool && read(pool);
        if (value !== undefined) this.set({ pool: 'primary' }, value);
      },
    });
  }
}
