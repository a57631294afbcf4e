import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ClientBase, QueryResult } from 'pg';
import { DataSource, EntityManager, QueryFailedError, type QueryRunner } from 'typeorm';
import { pgPoolOf } from '../database/pg-pool';
import { queryPrepared } from '../database/prepared-statements';
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

/**
 * What `transaction` sends with BEGIN, in the same round trip. The simple query protocol runs several statements
 * per message (each with a snapshot of its own, taken when it starts) but takes no parameters: hence only text.
 */
export type TransactionOptions = {
  /**
   * The caller's statements without parameters, right after BEGIN and before the stream locks (e.g. an advisory
   * lock of its own that every writer takes before its streams'). They must not write: the stream locks must come
   * before the transaction's first write (lockStreams checks it).
   */
  first?: readonly string[];
  /** lockStreams of these streams, in BEGIN's round trip too (the ids written into the text: see lockStreamsInline). */
  lockStreams?: readonly string[];
  /**
   * The caller's statements without parameters after the stream locks, still in BEGIN's round trip; their rows
   * are `fn`'s second argument, one array per statement. Each statement reads a snapshot taken when IT starts, so
   * after the locks were granted: it sees everything the streams' previous writers committed (which one
   * statement that locks and then reads would not: its snapshot predates its wait for the locks). Ignored, and
   * `fn` gets none, when the streams could not be locked in that message (an id not a canonical uuid).
   */
  then?: readonly string[];
};

/**
 * The caller's own statements, folded into an append's one statement (appendToStreamsWith), so that, say, an
 * inline projection and its read-back cost no round trip of their own. `ctes`: entries of the statement's WITH
 * list (`name AS (INSERT … RETURNING …)`, names not starting with es_); `select`: the statement's final SELECT,
 * whose rows are returned. Caveats of one statement (PostgreSQL): every part sees the database as it was when
 * the statement started (before the append, and before each other's changes: chain them with RETURNING); no row
 * may be modified twice; a data-modifying CTE always runs, a plain one only when read. A failed version check fails
 * the whole statement, these parts included.
 */
export type AppendAlongside = { ctes: string[]; select: string };

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
 *   1. lockStreams(tx, [ids])  — first statement; assigns no transaction id (or `transaction`'s `lockStreams`
 *      option: the same, in BEGIN's round trip);
 *   2. streamVersion(tx, id) / load state, decide;
 *   3. append(tx, id, type, events, { expectedVersion, occurredAt })  — one statement (appendToStreamsWith: with
 *      the caller's own statements folded in);
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

  /**
   * Runs `fn` in one READ COMMITTED transaction; after a COMMIT that appended, nudges local feeds. BEGIN goes in
   * one message with `options` (TransactionOptions): one round trip, where TypeORM's `transaction` takes one for
   * START TRANSACTION and another for a SET TRANSACTION ISOLATION LEVEL. `fn` gets the transaction's
   * EntityManager; TypeORM sees its transaction as active, so its own methods join it instead of opening one.
   */
  async transaction<T>(fn: (tx: EntityManager, opened: unknown[][] | null) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const tx = runner.manager;
    try {
      const streams = options.lockStreams ?? [];
      const inlineLock = streams.length ? SQL.lockStreamsInline(streams) : null;
      const then = inlineLock ? (options.then ?? []) : [];
      const first = [SQL.BEGIN_READ_COMMITTED, ...(options.first ?? []), ...(inlineLock ? [inlineLock] : [])];
      const results = await sendSimple(runner, [...first, ...then].join(';\n'));
      (runner as { isTransactionActive: boolean }).isTransactionActive = true;
      if (inlineLock) this.recordLocked(tx, streams, results[first.length - 1].rows[0] as LockRow);
      else await this.lockStreams(tx, [...streams]);
      const result = await fn(tx, inlineLock && options.then ? results.slice(first.length).map((r) => r.rows as unknown[]) : null);
      await runner.query('COMMIT');
      (runner as { isTransactionActive: boolean }).isTransactionActive = false;
      const appended = this.appendedIn.get(tx);
      if (appended) {
        for (const [streamType, count] of appended) notifyObserver(this.observer, (o) => o.eventsAppended(streamType, count));
        this.notifyCommitted();
      }
      return result;
    } catch (error) {
      // Also when BEGIN's own message failed half-way; outside a transaction ROLLBACK only warns.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Step 1: transaction-level advisory locks on every stream the transaction will write, in one call
   * and before any write (see event-store.sql.ts, "the trap"). Throws if the transaction already
   * wrote something, because then it already holds an xid and the lock can no longer order it.
   */
  async lockStreams(tx: EntityManager, streamIds: string[]): Promise<void> {
    if (streamIds.length === 0) return;
    const [row]: LockRow[] = await tx.query(SQL.LOCK_STREAMS, [streamIds]);
    this.recordLocked(tx, streamIds, row);
  }

  /** lockStreams' answer: refused if the transaction wrote before it; else the streams count as locked in `tx`. */
  private recordLocked(tx: EntityManager, streamIds: readonly string[], row: LockRow): void {
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
   * nothing is appended and ConcurrencyError names the first that is not. One statement whatever the number
   * of streams (appendStatement): the version check, then one insert of every event in the given order, so
   * global positions follow that order. Returns the recorded events in that order.
   */
  async appendToStreams<E extends EventShape>(tx: EntityManager, appends: StreamAppend<E>[]): Promise<RecordedEvent<E>[]> {
    const rows = await this.appendToStreamsWith<EventRow>(tx, appends, () => ({ ctes: [], select: SQL.SELECT_APPENDED }));
    // RETURNING promises no order: put the rows back in insert order, which is global position order.
    return rows.map(this.toCurrentShape).sort((a, b) => compareDecimal(a.globalPosition, b.globalPosition)) as RecordedEvent<E>[];
  }

  /**
   * appendToStreams with the caller's statements folded into its one statement (AppendAlongside), built by
   * `alongside` with `param`, which adds a parameter and returns its placeholder. Returns the rows of the
   * caller's `select` (not the recorded events: the caller has them in hand, but for their positions). When
   * `appends` hold no event, nothing runs and the answer is [].
   */
  async appendToStreamsWith<R>(
    tx: EntityManager,
    appends: StreamAppend[],
    alongside: (param: (value: unknown) => string) => AppendAlongside,
  ): Promise<R[]> {
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
    const params = this.appendParameters(writes);
    const { ctes, select } = alongside((value) => `$${params.push(value)}`);
    let rows: R[];
    try {
      rows = await queryPrepared<R>(tx, SQL.appendStatement(ctes, select), params);
    } catch (error) {
      throw await this.asConcurrencyError(error, writes);
    }
    const appended = this.appendedIn.get(tx) ?? new Map<string, number>();
    for (const { streamType, events } of writes) appended.set(streamType, (appended.get(streamType) ?? 0) + events.length);
    this.appendedIn.set(tx, appended);
    return rows;
  }

  /** appendStatement's own parameters ($1..$12): per stream, then per event. */
  private appendParameters(writes: StreamAppend[]): unknown[] {
    const rows = writes.flatMap((w) => w.events.map((event, i) => ({ w, event, version: w.expectedVersion + i + 1 })));
    return [
      writes.map((w) => w.streamId),
      writes.map((w) => w.streamType),
      writes.map((w) => w.expectedVersion + w.events.length),
      writes.map((w) => w.expectedVersion),
      rows.map((r) => r.w.streamId),
      rows.map((r) => r.w.streamType),
      rows.map((r) => r.version),
      rows.map((r) => r.event.type),
      rows.map((r) => this.upcasters.versionToWrite(r.event)),
      rows.map((r) => JSON.stringify(r.event.data ?? null)),
      rows.map((r) => JSON.stringify(r.event.metadata ?? {})),
      rows.map((r) => r.w.occurredAt),
    ];
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
    // On node-postgres directly, rows as arrays: a rebuild reads a million of them, and TypeORM's query plus a keyed
    // object per row cost its fold a quarter of its time (1M events: checkpoint written at 10.2 s before, 7.5 s after).
    const { rows } = await pgPoolOf(this.dataSource).query<ReadAllOfTypeRow>({
      text: SQL.READ_ALL_OF_TYPE,
      values: [after.transactionId, after.globalPosition, options.streamType, checkLimit(options.limit)],
      rowMode: 'array',
    });
    return rows.map(([t, g, streamId, version, type, schemaVersion, data, metadata, ms]) =>
      this.upcasters.upcast({
        position: encodePosition(t, g),
        globalPosition: g,
        streamId,
        streamType: options.streamType,
        version,
        type,
        schemaVersion,
        data,
        metadata,
        occurredAt: new Date(ms),
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

  /**
   * A failed append, as ConcurrencyError when the streams were not where the caller expected: the version check
   * failed (appendStatement's NOT NULL), or the unique (stream_id, version) fired, the backstop behind the check
   * (only if a writer bypassed event_streams). The transaction is aborted by then, so actual versions are read on
   * another connection: the streams are still locked by this transaction, so what it reads is what the append saw.
   */
  private async asConcurrencyError(error: unknown, writes: StreamAppend[]): Promise<unknown> {
    const driverError =
      error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string; detail?: string; table?: string; column?: string }) : {};
    const check = SQL.VERSION_CHECK_FAILED;
    if (driverError.code === check.code && driverError.table === check.table && driverError.column === check.column) {
      const rows: { stream_id: string; version: number }[] = await this.dataSource.query(SQL.STREAM_VERSIONS, [writes.map((w) => w.streamId)]);
      const actual = new Map(rows.map((r) => [r.stream_id.toLowerCase(), r.version]));
      const versionOf = (w: StreamAppend) => actual.get(w.streamId.toLowerCase()) ?? 0;
      const failed = writes.find((w) => versionOf(w) !== w.expectedVersion) ?? writes[0];
      return new ConcurrencyError({ streamId: failed.streamId, expectedVersion: failed.expectedVersion, actualVersion: versionOf(failed) });
    }
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

type LockRow = { early_transaction_id: string | null };

/**
 * One message of the simple query protocol (several statements, no parameters) on the runner's connection, and
 * each statement's result. Straight to node-postgres: TypeORM's `query` answers a message of several statements
 * with nothing. Failures come out as TypeORM's QueryFailedError, like every other statement's.
 */
async function sendSimple(runner: QueryRunner, text: string): Promise<QueryResult[]> {
  const client = (await runner.connect()) as ClientBase;
  try {
    const result: QueryResult | QueryResult[] = await client.query(text);
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    throw new QueryFailedError(text, [], error as Error);
  }
}

/** READ_ALL_OF_TYPE's columns, in its order. */
type ReadAllOfTypeRow = [string, string, string, number, string, number, unknown, Record<string, unknown>, number] & unknown[];

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
