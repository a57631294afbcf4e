import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ConcurrencyError } from './concurrency.error';
import { EVENT_STORE_OBSERVER, EventStoreObserver, notifyObserver } from './event-store.observer';
import * as SQL from './event-store.sql';
import { decodePosition, encodePosition } from './position';
import type { EventShape, NewEvent, RecordedEvent } from './recorded-event';
import { EVENT_UPCASTERS, UpcasterRegistry } from './upcasting';

export type { EventEnvelope, EventShape, NewEvent, RecordedEvent } from './recorded-event';

export type AppendOptions = {
  /** The stream's version the caller decided on; 0 = the stream must not exist yet. */
  expectedVersion: number;
  /** The command's clock, recorded on every event of this append. */
  occurredAt: Date;
};

/** One stream's share of a multi-stream append (appendToStreams). */
export type StreamAppend<E extends EventShape = EventShape> = AppendOptions & {
  streamId: string;
  streamType: string;
  events: NewEvent<E>[];
};

export type ReadAllOptions = {
  /** Strictly after this cursor; null/absent = from the start of the log. */
  after?: string | null;
  /** At most this many events (1..10,000). */
  limit: number;
  /** Only this stream's events (still in log order, which for one stream is version order). */
  streamId?: string;
  /** At or before this cursor (used by EventFeed to page up to its ring buffer). */
  until?: string | null;
  /** Run on this connection instead of the app's pool (EventFeed reads on connections of its own). */
  via?: SqlRunner;
};

/**
 * Anything that runs one SQL statement and resolves with its rows, like TypeORM's `DataSource.query`. Reads take
 * one so a reader that must not queue behind the app's pool (EventFeed, under write load) can bring its own.
 */
export type SqlRunner = { query(sql: string, params?: unknown[]): Promise<unknown> };

type EventRow = {
  transaction_id_text: string;
  global_position_text: string;
  stream_id: string;
  stream_type: string;
  version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  occurred_at: Date;
};

const MAX_READ_LIMIT = 10_000;

/**
 * The event log on PostgreSQL: streams of versioned events plus one gap-free global order that
 * readers can follow with a cursor. The SQL, and why it is shaped as it is, is in event-store.sql.ts.
 *
 * Writing (model: Emmett's handleCommand), always inside `transaction`:
 *   1. lockStreams(tx, [ids])  — first statement; assigns no transaction id;
 *   2. streamVersion(tx, id) / load state, decide;
 *   3. append(tx, id, type, events, { expectedVersion, occurredAt });
 *   4. commit (transaction returns), which publishes the events to the live feed.
 */
@Injectable()
export class EventStore {
  /** Streams each open transaction has locked (step 1), to refuse appends that skipped it. */
  private readonly locked = new WeakMap<EntityManager, Set<string>>();
  /** Transactions that appended, with how many events per stream type (reported to the observer on COMMIT). */
  private readonly appendedIn = new WeakMap<EntityManager, Map<string, number>>();
  private readonly commitListeners = new Set<() => void>();

  constructor(
    readonly dataSource: DataSource,
    @Optional() @Inject(EVENT_STORE_OBSERVER) private readonly observer: EventStoreObserver | null = null,
    /** Applied to every event this store returns, so readers only ever see current shapes (upcasting.ts). */
    @Optional() @Inject(EVENT_UPCASTERS) readonly upcasters: UpcasterRegistry = UpcasterRegistry.EMPTY,
  ) {}

  /** Runs `fn` in one READ COMMITTED transaction; after a COMMIT that appended, nudges local feeds. */
  async transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    let manager: EntityManager | undefined;
    const result = await this.dataSource.transaction('READ COMMITTED', (tx) => {
      manager = tx;
      return fn(tx);
    });
    const appended = manager && this.appendedIn.get(manager);
    if (appended) {
      for (const [streamType, count] of appended) notifyObserver(this.observer, (o) => o.eventsAppended(streamType, count));
      this.notifyCommitted();
    }
    return result;
  }

  /**
   * Step 1: transaction-level advisory locks on every stream the transaction will write, in one call
   * and before any write (see event-store.sql.ts, "the trap"). Throws if the transaction already
   * wrote something, because then it already holds an xid and the lock can no longer order it.
   */
  async lockStreams(tx: EntityManager, streamIds: string[]): Promise<void> {
    if (streamIds.length === 0) return;
    const [row]: { early_transaction_id: string | null }[] = await tx.query(SQL.LOCK_STREAMS, [streamIds]);
    if (row.early_transaction_id !== null) {
      throw new Error(
        'EventStore.lockStreams must run before the transaction writes anything: lock every stream ' +
          'it will append to in one call, as its first statement',
      );
    }
    const locked = this.locked.get(tx) ?? new Set<string>();
    for (const id of streamIds) locked.add(id.toLowerCase());
    this.locked.set(tx, locked);
  }

  /** The stream's current version; 0 when it does not exist. */
  async streamVersion(tx: EntityManager, streamId: string): Promise<number> {
    const rows: { version: number }[] = await tx.query(SQL.STREAM_VERSION, [streamId]);
    return rows[0]?.version ?? 0;
  }

  /**
   * Step 3: appends `events` to the stream if it is at `expectedVersion`, else throws ConcurrencyError.
   * Returns the recorded events in order. An empty `events` is a no-op.
   */
  async append<E extends EventShape>(
    tx: EntityManager,
    streamId: string,
    streamType: string,
    events: NewEvent<E>[],
    options: AppendOptions,
  ): Promise<RecordedEvent<E>[]> {
    return this.appendToStreams<E>(tx, [{ streamId, streamType, events, ...options }]);
  }

  /**
   * Step 3 for several streams at once (group commit): every stream must be at its `expectedVersion`, or
   * nothing is appended and ConcurrencyError names the first that is not. Two statements whatever the number
   * of streams: the version check (ADVANCE_STREAMS), then one insert of every event in the given order, so
   * global positions follow that order. Returns the recorded events in that order.
   */
  async appendToStreams<E extends EventShape>(tx: EntityManager, appends: StreamAppend<E>[]): Promise<RecordedEvent<E>[]> {
    const writes = appends.filter((a) => a.events.length > 0);
    if (writes.length === 0) return [];
    const streams = new Set<string>();
    for (const { streamId, expectedVersion } of writes) {
      this.assertLocked(tx, streamId);
      if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
        throw new RangeError(`expectedVersion must be a non-negative integer, got ${expectedVersion}`);
      }
      if (streams.has(streamId.toLowerCase())) throw new Error(`appendToStreams: stream ${streamId} given twice; merge its events`);
      streams.add(streamId.toLowerCase());
    }
    await this.advanceStreams(tx, writes);
    const recorded = await this.insertEvents(tx, writes);
    if (!this.appendedIn.has(tx)) await tx.query(SQL.NOTIFY_APPENDED);
    const appended = this.appendedIn.get(tx) ?? new Map<string, number>();
    for (const { streamType, events } of writes) appended.set(streamType, (appended.get(streamType) ?? 0) + events.length);
    this.appendedIn.set(tx, appended);
    return recorded as RecordedEvent<E>[];
  }

  /** The global log, oldest first, strictly after `after`, only what no open transaction can precede. */
  async readAll<E extends EventShape = EventShape>(options: ReadAllOptions): Promise<RecordedEvent<E>[]> {
    const after = options.after ? decodePosition(options.after) : SQL.LOG_START;
    const until = options.until ? decodePosition(options.until) : SQL.LOG_END;
    const params: unknown[] = [
      after.transactionId,
      after.globalPosition,
      until.transactionId,
      until.globalPosition,
      checkLimit(options.limit),
    ];
    const sql = options.streamId === undefined ? SQL.READ_ALL : SQL.READ_ALL_OF_STREAM;
    if (options.streamId !== undefined) params.push(options.streamId);
    const rows = (await (options.via ?? this.dataSource).query(sql, params)) as EventRow[];
    return rows.map(this.toCurrentShape) as RecordedEvent<E>[];
  }

  /**
   * readAll restricted to one stream type, for folds that read all of it (projection rebuilds): the same
   * order, horizon, upcasting and envelope, with the type filtered by PostgreSQL and the row shipped leaner
   * (see READ_ALL_OF_TYPE), which matters when it is a million events.
   */
  async readAllOfType<E extends EventShape = EventShape>(options: {
    streamType: string;
    after?: string | null;
    limit: number;
  }): Promise<RecordedEvent<E>[]> {
    const after = options.after ? decodePosition(options.after) : SQL.LOG_START;
    const rows: (Omit<EventRow, 'stream_type' | 'occurred_at'> & { occurred_at_ms: number })[] = await this.dataSource.query(
      SQL.READ_ALL_OF_TYPE,
      [after.transactionId, after.globalPosition, options.streamType, checkLimit(options.limit)],
    );
    // toRecordedEvent's envelope, with the stream type and time this row carries differently.
    return rows.map((row) =>
      this.upcasters.upcast({
        position: encodePosition(row.transaction_id_text, row.global_position_text),
        globalPosition: row.global_position_text,
        streamId: row.stream_id,
        streamType: options.streamType,
        version: row.version,
        type: row.type,
        schemaVersion: row.schema_version,
        data: row.data,
        metadata: row.metadata,
        occurredAt: new Date(row.occurred_at_ms),
      } satisfies RecordedEvent),
    ) as RecordedEvent<E>[];
  }

  /**
   * Every committed event after `after` in log order, ignoring the horizon, inside `tx`. Correct only
   * while the caller guarantees that no append is in flight (a rebuild's last step holds the
   * writers' lock exclusively): then nothing can still commit before the cursor, and waiting for the
   * horizon would only wait for unrelated open transactions.
   */
  async readAllCommitted<E extends EventShape = EventShape>(
    tx: EntityManager,
    options: { after: string | null; limit: number },
  ): Promise<RecordedEvent<E>[]> {
    const after = options.after ? decodePosition(options.after) : SQL.LOG_START;
    const rows: EventRow[] = await tx.query(SQL.READ_ALL_COMMITTED, [after.transactionId, after.globalPosition, checkLimit(options.limit)]);
    return rows.map(this.toCurrentShape) as RecordedEvent<E>[];
  }

  /** The cursor of the last event below the horizon; null for an empty log. `via`: as in ReadAllOptions. */
  async headPosition(via: SqlRunner = this.dataSource): Promise<string | null> {
    const rows = (await via.query(SQL.HEAD_POSITION)) as Pick<EventRow, 'transaction_id_text' | 'global_position_text'>[];
    return rows.length ? encodePosition(rows[0].transaction_id_text, rows[0].global_position_text) : null;
  }

  /** Whether `cursor` names a recorded event. Throws InvalidPositionError if it is malformed. `via`: as in ReadAllOptions. */
  async positionExists(cursor: string, via: SqlRunner = this.dataSource): Promise<boolean> {
    const { transactionId, globalPosition } = decodePosition(cursor);
    const [row] = (await via.query(SQL.POSITION_EXISTS, [transactionId, globalPosition])) as { present: boolean }[];
    return row.present;
  }

  /** Called after every COMMIT (through `transaction`) that appended events; returns an unsubscribe. */
  onAppendCommitted(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  private assertLocked(tx: EntityManager, streamId: string): void {
    if (this.locked.get(tx)?.has(streamId.toLowerCase())) return;
    throw new Error(`EventStore.append(${streamId}) without lockStreams for it first in this transaction`);
  }

  private async advanceStreams(tx: EntityManager, writes: StreamAppend[]): Promise<void> {
    const rows: { stream_id: string }[] = await tx.query(SQL.ADVANCE_STREAMS, [
      writes.map((w) => w.streamId),
      writes.map((w) => w.streamType),
      writes.map((w) => w.expectedVersion + w.events.length),
      writes.map((w) => w.expectedVersion),
    ]);
    if (rows.length === writes.length) return;
    const passed = new Set(rows.map((r) => r.stream_id.toLowerCase()));
    const failed = writes.find((w) => !passed.has(w.streamId.toLowerCase()))!;
    const actualVersion = await this.streamVersion(tx, failed.streamId);
    throw new ConcurrencyError({ streamId: failed.streamId, expectedVersion: failed.expectedVersion, actualVersion });
  }

  private async insertEvents(tx: EntityManager, writes: StreamAppend[]): Promise<RecordedEvent[]> {
    const rows = writes.flatMap((w) => w.events.map((event, i) => ({ w, event, version: w.expectedVersion + i + 1 })));
    const params = [
      rows.map((r) => r.w.streamId),
      rows.map((r) => r.w.streamType),
      rows.map((r) => r.version),
      rows.map((r) => r.event.type),
      rows.map((r) => this.upcasters.versionToWrite(r.event)),
      rows.map((r) => JSON.stringify(r.event.data ?? null)),
      rows.map((r) => JSON.stringify(r.event.metadata ?? {})),
      rows.map((r) => r.w.occurredAt),
    ];
    try {
      const recorded: EventRow[] = await tx.query(SQL.INSERT_EVENTS, params);
      // RETURNING promises no order: put the rows back in insert order, which is global position order.
      return recorded.map(this.toCurrentShape).sort((a, b) => compareDecimal(a.globalPosition, b.globalPosition));
    } catch (error) {
      throw await this.asConcurrencyError(error, writes);
    }
  }

  /**
   * The unique (stream_id, version) is the backstop behind the version check (it only fires if a
   * writer bypassed event_streams). The transaction is aborted by then, so the actual version is
   * read on another connection: the conflicting row has committed, or there would be no violation.
   */
  private async asConcurrencyError(error: unknown, writes: StreamAppend[]): Promise<unknown> {
    const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string; detail?: string }) : {};
    if (driverError.code !== '23505' || driverError.constraint !== SQL.STREAM_VERSION_UNIQUE) return error;
    // "Key (stream_id, version)=(<uuid>, 3) already exists." names the stream when several were appended.
    const named = /=\(([0-9a-f-]{36}),/i.exec(driverError.detail ?? '')?.[1]?.toLowerCase();
    const { streamId, expectedVersion } = writes.find((w) => w.streamId.toLowerCase() === named) ?? writes[0];
    const [row]: { version: number }[] = await this.dataSource.query(SQL.LAST_RECORDED_VERSION, [streamId]);
    return new ConcurrencyError({ streamId, expectedVersion, actualVersion: row.version });
  }

  private readonly toCurrentShape = (row: EventRow): RecordedEvent => this.upcasters.upcast(toRecordedEvent(row));

  private notifyCommitted(): void {
    for (const listener of this.commitListeners) {
      try {
        listener();
      } catch {
        // A feed's nudge must never turn a committed write into an error for the caller.
      }
    }
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
    throw new RangeError(`limit must be an integer in 1..${MAX_READ_LIMIT}, got ${limit}`);
  }
  return limit;
}

/** Orders non-negative decimal strings (bigints beyond 2^53) without parsing them. */
function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: encodePosition(row.transaction_id_text, row.global_position_text),
    globalPosition: row.global_position_text,
    streamId: row.stream_id,
    streamType: row.stream_type,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at,
  };
}
