import type { ClientBase } from 'pg';
import { appendStatement, LOCK_STREAMS, VERSION_CHECK_FAILED } from '../../../src/event-store/event-store.sql';
import { shoeNameKey } from '../../../src/shoes/domain';
import { SHOE_STREAM_TYPE } from '../../../src/shoes/shoe-stream';
import type { SyntheticEvent, SyntheticShoe } from './synthetic-shoe-log';

/**
 * Stores a batch of synthetic events (synthetic-shoe-log.ts) with the event store's own statements
 * (event-store.sql.ts), as one EventStore.appendToStreams of the whole batch would, in one transaction:
 * 1. the stream locks first (LOCK_STREAMS: no transaction id before them, so a concurrent writer of the same
 *    streams queues and the log's order keeps each stream's versions in order);
 * 2. in one statement (appendStatement): every stream's version moved from the one before the batch to its last
 *    one in it, refused (nothing written) when a stream is not where the generator thinks, as the store's check
 *    would; the events in the batch's order, so global positions follow it (metadata `{}` as the store writes
 *    when a command gives none); the NOTIFY every append sends.
 * Not through EventStore itself: it needs a TypeORM DataSource, and the bench writes on a plain pg client.
 * The read model is left alone: bringing it up to date is the job of the rebuild under test.
 */
export async function writeSyntheticEvents(client: ClientBase, events: SyntheticEvent[]): Promise<void> {
  if (events.length === 0) return;
  const streams = new Map<string, { from: number; to: number }>();
  for (const e of events) {
    const s = streams.get(e.streamId);
    if (!s) streams.set(e.streamId, { from: e.version - 1, to: e.version });
    else if (e.version !== s.to + 1) throw new Error(`stream ${e.streamId}: version ${e.version} follows ${s.to}`);
    else s.to = e.version;
  }
  await client.query('BEGIN');
  try {
    await client.query(LOCK_STREAMS, [[...streams.keys()]]);
    await client
      .query(appendStatement([], 'SELECT count(*) FROM es_appended'), [
        [...streams.keys()],
        [...streams.keys()].map(() => SHOE_STREAM_TYPE),
        [...streams.values()].map((s) => s.to),
        [...streams.values()].map((s) => s.from),
        events.map((e) => e.streamId),
        events.map(() => SHOE_STREAM_TYPE),
        events.map((e) => e.version),
        events.map((e) => e.type),
        events.map((e) => e.schemaVersion),
        events.map((e) => JSON.stringify(e.data)),
        events.map(() => '{}'),
        events.map((e) => e.occurredAt.toISOString()),
      ])
      .catch((error: { code?: string; table?: string; column?: string }) => {
        const check = VERSION_CHECK_FAILED;
        if (error.code !== check.code || error.table !== check.table || error.column !== check.column) throw error;
        throw new Error('the synthetic log does not continue the streams as they are: another writer got there first?');
      });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The current state of every shoe stream, read from the read model (which the inline projection keeps equal
 * to the fold of the log): where a synthetic log continues them.
 */
export async function loadSyntheticShoes(client: ClientBase): Promise<SyntheticShoe[]> {
  const { rows } = await client.query<{
    id: string;
    name: string;
    brand: string | null;
    version: number;
    rating_count: number;
    rating_sum: string;
    d: number[];
    created_at: Date;
    updated_at: Date;
  }>(
    `SELECT id, name, brand, version, rating_count, rating_sum::text, ARRAY[size_1, size_2, size_3, size_4, size_5] AS d, created_at, updated_at
     FROM shoes ORDER BY created_at, id`,
  );
  const ratings = await client.query<{ shoe_id: string; user_id: string; size: 1 | 2 | 3 | 4 | 5 }>(`SELECT shoe_id, user_id, size FROM shoe_ratings`);
  const byShoe = new Map(rows.map((r) => [r.id, new Map<string, 1 | 2 | 3 | 4 | 5>()]));
  for (const r of ratings.rows) byShoe.get(r.shoe_id)?.set(r.user_id, r.size);
  return rows.map((r) => ({
    shoeId: r.id,
    name: r.name,
    brand: r.brand,
    version: r.version,
    count: r.rating_count,
    sum: Number(r.rating_sum),
    distribution: r.d as SyntheticShoe['distribution'],
    ratings: byShoe.get(r.id)!,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/**
 * Compares the read model (`shoes`, `shoe_ratings`) with the state a synthetic log folds to, row by row and
 * rating by rating; returns the mismatches (at most `limit`), none when they are equal. Ratings come one
 * JSON object per shoe, so that a million of them take seconds, not minutes.
 */
export async function checkReadModel(client: ClientBase, expected: SyntheticShoe[], limit = 20): Promise<string[]> {
  const problems: string[] = [];
  const { rows } = await client.query<Record<string, unknown> & { id: string }>(
    `SELECT id, name, brand, name_key, version, rating_count, rating_sum::text AS rating_sum,
            ARRAY[size_1, size_2, size_3, size_4, size_5] AS distribution, created_at, updated_at FROM shoes`,
  );
  const ratings = await client.query<{ shoe_id: string; ratings: Record<string, number> }>(
    `SELECT shoe_id, json_object_agg(user_id, size) AS ratings FROM shoe_ratings GROUP BY shoe_id`,
  );
  const live = new Map(rows.map((r) => [r.id, r]));
  const liveRatings = new Map(ratings.rows.map((r) => [r.shoe_id, r.ratings]));
  for (const s of expected) {
    const row = live.get(s.shoeId);
    live.delete(s.shoeId);
    if (!row) {
      problems.push(`shoe ${s.shoeId}: no row`);
      continue;
    }
    const want: Record<string, unknown> = {
      name: s.name,
      brand: s.brand,
      name_key: shoeNameKey(s.brand, s.name),
      version: s.version,
      rating_count: s.count,
      rating_sum: String(s.sum),
      distribution: s.distribution.join(','),
      created_at: s.createdAt.toISOString(),
      updated_at: s.updatedAt.toISOString(),
    };
    const have: Record<string, unknown> = { ...row, distribution: (row.distribution as number[]).join(','), created_at: (row.created_at as Date).toISOString(), updated_at: (row.updated_at as Date).toISOString() };
    for (const [column, value] of Object.entries(want)) {
      if (have[column] !== value) problems.push(`shoe ${s.shoeId}: ${column} is ${String(have[column])}, expected ${String(value)}`);
    }
    const got = liveRatings.get(s.shoeId) ?? {};
    liveRatings.delete(s.shoeId);
    const wrong = [...s.ratings].filter(([user, size]) => !Object.hasOwn(got, user) || got[user] !== size).length;
    const extra = Object.keys(got).length - (s.ratings.size - wrong);
    if (wrong || extra) problems.push(`shoe ${s.shoeId}: ${wrong} ratings missing or wrong, ${extra} not expected`);
    if (problems.length >= limit) return problems.slice(0, limit);
  }
  for (const id of new Set([...live.keys(), ...liveRatings.keys()])) problems.push(`shoe ${id}: in the read model, not in the log`);
  return problems.slice(0, limit);
}
