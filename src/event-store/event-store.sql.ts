/**
 * The event store's SQL, in one place. Tables: src/database/migrations/1732400000000-event-store.ts.
 *
 * Why the log is ordered by (transaction_id, global_position) and not by global_position alone
 * (Emmett's PostgreSQL technique): a bigserial is handed out when a row is inserted, not when it
 * commits, so a reader ordering by it can read position 8 (committed) while position 7 is still
 * uncommitted, move its cursor past 7, and never see it. Instead every event row records its
 * transaction id (`pg_current_xact_id()`, xid8), and readers:
 *   1. order by (transaction_id, global_position): a transaction's events sit together, in order;
 *   2. read only rows with `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`: the xmin of a
 *      snapshot is the oldest transaction still running, so every transaction below it has finished
 *      and no row can ever appear below the reader's cursor afterwards (xids are never reused and a
 *      new transaction always gets an xid above every running one).
 * Caveat: one long-open transaction (anywhere in the cluster: xids are cluster-wide) holds the
 * horizon back, so the log may trail a commit for a moment while older transactions are still open.
 * Nothing is lost; readers catch up as soon as the old transaction ends.
 *
 * The trap, and why lockStreams must be the FIRST statement of every appending transaction:
 * a transaction's xid is assigned at its first write, which may be long before it commits. If a
 * writer got its xid and then waited for the stream (e.g. under READ COMMITTED a `SELECT … FOR UPDATE`
 * that waits for a row updated meanwhile assigns the waiter's xid), the stream's NEXT version would
 * carry an OLDER xid than the version before it, and the log would list version 2 before version 1.
 * So every appending transaction:
 *   1. takes transaction-level advisory locks on every stream it will write, all in one statement,
 *      in sorted key order (two writers of the same streams queue instead of deadlocking). An
 *      advisory lock assigns no xid, so a waiter has none while it waits;
 *   2. reads the stream version (still no xid: reads never assign one);
 *   3. appends: the first write assigns the xid, necessarily after the stream's previous writer
 *      committed (it held the lock until then), so the new xid is greater than the previous one;
 *   4. commits, releasing the locks.
 * Per-stream versions are therefore always in (transaction_id, global_position) order.
 * Transactions that never append (or append to streams nobody else writes) may take xids whenever
 * they like: the horizon in 2. above already keeps readers from skipping them.
 */

/**
 * Every transaction's first statement. READ COMMITTED is PostgreSQL's default, but said here, where it costs no
 * round trip, so a changed default_transaction_isolation cannot change what the locks below rely on.
 */
export const BEGIN_READ_COMMITTED = 'START TRANSACTION ISOLATION LEVEL READ COMMITTED';

/** Parameter stand-ins for "no lower/upper bound", so each query keeps one constant text. */
export const LOG_START = { transactionId: '0', globalPosition: '0' };
export const LOG_END = { transactionId: (2n ** 64n - 1n).toString(), globalPosition: (2n ** 63n - 1n).toString() };

/**
 * Numbers leave PostgreSQL as text: xid8 and bigint exceed 2^53 eventually. The text columns get
 * names of their own: an ORDER BY name that matches an output column sorts by the OUTPUT column,
 * so `transaction_id::text AS transaction_id` would silently order the log as text ('10' < '9').
 */
const EVENT_COLUMNS = `transaction_id::text AS transaction_id_text, global_position::text AS global_position_text,
  stream_id, stream_type, version, type, schema_version, data, metadata, occurred_at`;

/** The reader's horizon: every transaction below it has committed or aborted. */
const BELOW_HORIZON = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * Step 1 of every append. $1 = uuid[] of the streams. Locks are taken one by one in key order
 * (the aggregate consumes the sorted subquery in order). It also reports whether the transaction
 * already had an xid: advisory locks never assign one, so the answer is the same before and after
 * locking, and a non-null answer means the caller wrote something first (the trap above).
 */
export const LOCK_STREAMS = `
  SELECT count(pg_advisory_xact_lock(lock_key)) AS locked,
         pg_current_xact_id_if_assigned()::text AS early_transaction_id
  FROM (
    SELECT DISTINCT hashtextextended('stream:' || stream_id::text, 0) AS lock_key
    FROM unnest($1::uuid[]) AS stream_id
    ORDER BY lock_key
  ) AS keys`;

/** A stream id PostgreSQL reads as a uuid and that can stand in SQL text as it is: hex digits and dashes only. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * LOCK_STREAMS with the ids written into the text instead of $1, for a message that must carry no parameters
 * (EventStore.transaction sends it with BEGIN: the simple query protocol runs several statements per round trip,
 * but takes no parameters). Safe because only canonical uuids are written (hex digits and dashes, nothing that
 * could end the literal); null when an id is not one, and the caller then sends LOCK_STREAMS with $1 as before.
 */
export function lockStreamsInline(streamIds: readonly string[]): string | null {
  if (!streamIds.every((id) => CANONICAL_UUID.test(id))) return null;
  return LOCK_STREAMS.replace('$1::uuid[]', `'{${streamIds.join(',')}}'::uuid[]`);
}

/** $1 = stream id. No row: the stream does not exist (version 0). */
export const STREAM_VERSION = `SELECT version FROM event_streams WHERE stream_id = $1::uuid`;

/**
 * An append, for one or more streams, in ONE statement (one round trip, where it was three): the version check,
 * each stream's new version, every event, and the NOTIFY; then whatever the caller adds (appendToStreamsWith).
 *   - Version check: $1 stream ids, $2 stream types, $3 new versions, $4 expected versions (parallel arrays, one
 *     entry per stream). A stream expected at 0 must not exist yet (insert, DO NOTHING on conflict); any other
 *     expectation only updates a stream that is at exactly that version, so it never creates one that did not
 *     exist (which a bare upsert would do). The streams that passed come out of es_passed.
 *   - Events: $5 stream ids, $6 stream types, $7 versions, $8 types, $9 schema versions, $10 data (json text), $11
 *     metadata (json text), $12 occurred at (parallel arrays, one entry per event). `ORDER BY ordinality` feeds
 *     the rows to the insert in array order, so global positions follow it inside the transaction.
 *     transaction_id is left to its default, pg_current_xact_id().
 *   - A failed check fails the whole statement, and with it everything a caller folded into it: an event whose
 *     stream did not pass is inserted with a NULL stream_id, which events' NOT NULL refuses (23502, mapped to
 *     ConcurrencyError). A statement cannot raise an error of its own, and the CTEs of one statement cannot be
 *     made to wait for each other's outcome: only an error undoes the ones that already ran.
 *   - es_notified is read by the insert, so it runs exactly once (a CTE is evaluated once, when first read).
 * Every part sees one snapshot, taken when the statement starts: correct because the streams were locked by an
 * earlier statement, so no other writer of them can commit meanwhile. The store's CTEs are named es_*.
 */
export function appendStatement(alongside: readonly string[], select: string): string {
  return `
  WITH es_wanted AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[]) AS w(stream_id, stream_type, new_version, expected_version)
  ), es_advanced AS (
    UPDATE event_streams s SET version = w.new_version
    FROM es_wanted w
    WHERE w.expected_version > 0 AND s.stream_id = w.stream_id AND s.version = w.expected_version
    RETURNING s.stream_id
  ), es_created AS (
    INSERT INTO event_streams (stream_id, stream_type, version)
    SELECT stream_id, stream_type, new_version FROM es_wanted WHERE expected_version = 0
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING stream_id
  ), es_passed AS (
    SELECT stream_id FROM es_advanced UNION ALL SELECT stream_id FROM es_created
  ), es_notified AS (
    ${NOTIFY_APPENDED} AS notified
  ), es_appended AS (
    INSERT INTO events (stream_id, stream_type, version, type, schema_version, data, metadata, occurred_at)
    SELECT p.stream_id, e.stream_type, e.version, e.type, e.schema_version, e.data, e.metadata, e.occurred_at
    FROM unnest($5::uuid[], $6::text[], $7::int[], $8::text[], $9::int[], $10::jsonb[], $11::jsonb[], $12::timestamptz[])
      WITH ORDINALITY AS e(stream_id, stream_type, version, type, schema_version, data, metadata, occurred_at, ordinality)
    LEFT JOIN es_passed p ON p.stream_id = e.stream_id
    CROSS JOIN es_notified
    ORDER BY e.ordinality
    RETURNING ${EVENT_COLUMNS}
  )${alongside.map((cte) => `, ${cte}`).join('')}
  ${select}`;
}

/** An append's own answer: the recorded events. */
export const SELECT_APPENDED = `SELECT * FROM es_appended`;

/** The column whose NOT NULL a failed version check violates (see appendStatement). */
export const VERSION_CHECK_FAILED = { code: '23502', table: 'events', column: 'stream_id' };

/** After a failed append the transaction is aborted, so this runs on another connection. $1 = uuid[]. */
export const STREAM_VERSIONS = `SELECT stream_id::text AS stream_id, version FROM event_streams WHERE stream_id = ANY($1::uuid[])`;

/** The unique constraint behind the version check (see ConcurrencyError mapping in append). */
export const STREAM_VERSION_UNIQUE = 'events_stream_version_unique';

/** After a unique violation the transaction is aborted, so this runs on another connection. */
export const LAST_RECORDED_VERSION = `SELECT coalesce(max(version), 0)::int AS version FROM events WHERE stream_id = $1::uuid`;

/**
 * A hint to every instance's EventFeed (LISTEN tts_events). PostgreSQL delivers it at COMMIT and
 * drops it on rollback; the payload carries nothing, the listener just reads the log.
 */
export const NOTIFY_APPENDED = `SELECT pg_notify('tts_events', '')`;
export const EVENTS_CHANNEL = 'tts_events';

/**
 * The global log, oldest first, strictly after ($1, $2) and at or before ($3, $4), below the horizon.
 * $5 = limit. Served by events_transaction_position_idx.
 */
export const READ_ALL = `
  SELECT ${EVENT_COLUMNS} FROM events
  WHERE ${BELOW_HORIZON}
    AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $5`;

/**
 * READ_ALL of one stream type ($3) only, for folds that read all of it (projection rebuilds), without the
 * upper bound, and lean where it costs: stream_type is known, and the time comes as epoch milliseconds
 * (floored to the millisecond a Date keeps), which is much cheaper to turn into a Date than timestamptz text.
 * $1, $2 after; $4 limit. Served by events_transaction_position_idx, as READ_ALL.
 */
export const READ_ALL_OF_TYPE = `
  SELECT transaction_id::text AS transaction_id_text, global_position::text AS global_position_text,
    stream_id, version, type, schema_version, data, metadata, floor(extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_at_ms
  FROM events
  WHERE ${BELOW_HORIZON}
    AND stream_type = $3::text
    AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $4`;

/**
 * READ_ALL without the horizon: every committed event after ($1, $2), $3 at most. Only correct while no
 * append can be in flight (EventStore.readAllCommitted says who may use it).
 */
export const READ_ALL_COMMITTED = `
  SELECT ${EVENT_COLUMNS} FROM events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $3`;

/** READ_ALL restricted to one stream ($6); its order equals version order (the lock above). */
export const READ_ALL_OF_STREAM = `
  SELECT ${EVENT_COLUMNS} FROM events
  WHERE ${BELOW_HORIZON}
    AND stream_id = $6::uuid
    AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $5`;

/**
 * A boolean expression, for a statement of a caller's own: whether any event visible to the statement's snapshot
 * lies after ($1, $2) in the log's order, ALSO above the horizon (committed but not yet readable by the feed).
 * ShoeReadCache's freshness check: a feed at ($1, $2) has read everything committed when this is false. One
 * probe of events_transaction_position_idx: the newest visible event, compared. Not `EXISTS (… WHERE (…) > ($1,
 * $2))`: in a prepared statement's generic plan PostgreSQL guesses a third of the log matches and scans it from
 * the start (482 ms over 1M events; the bench's sequential reads went from 1.1 to 6.3 ms).
 */
export const COMMITTED_EVENTS_AFTER = `coalesce((SELECT (transaction_id, global_position) > ($1::xid8, $2::bigint) FROM events
  ORDER BY transaction_id DESC, global_position DESC LIMIT 1), false)`;

/** The last event below the horizon: where a subscription without `after` starts. */
export const HEAD_POSITION = `
  SELECT transaction_id::text AS transaction_id_text, global_position::text AS global_position_text
  FROM events
  WHERE ${BELOW_HORIZON}
  ORDER BY transaction_id DESC, global_position DESC
  LIMIT 1`;

/** $1 xid8, $2 global position. */
export const POSITION_EXISTS = `
  SELECT EXISTS (SELECT 1 FROM events WHERE global_position = $2::bigint AND transaction_id = $1::xid8) AS present`;
