import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../event-store/event-store';
import type { ShoeEvent } from '../domain/shoe.events';
import { shoeNameKey } from '../domain/shoe-name';

/**
 * The inline projection: applies freshly appended shoe events to `shoes` and `shoe_ratings` inside the
 * append transaction, so projection and log commit (or fail) together and a mutation returns its own write.
 * Every statement is O(1) in the number of ratings a shoe has: counters move, nothing is re-folded.
 * Consecutive rating events (of one command or of a whole group commit) are folded into ONE statement:
 * per shoe one counter update, per (shoe, user) its last rating, so a batch costs one round trip, not one
 * per event. `projections:rebuild` checks these tables against the fold of the log (domain `evolve`).
 */
export async function applyShoeEvents(
  tx: EntityManager,
  events: RecordedEvent<ShoeEvent>[],
): Promise<void> {
  const sql = STATEMENTS;
  const ratings = new RatingChanges();
  for (const event of events) {
    const at = event.occurredAt;
    switch (event.type) {
      case 'ShoeCreated': {
        // Names and creation are rare: written as they come, after the rating changes before them.
        await ratings.flush(tx, sql);
        const { shoeId, name, brand } = event.data;
        await tx.query(sql.insertShoe, [shoeId, name, brand, shoeNameKey(brand, name), at, event.version]);
        break;
      }
      case 'ShoeRenamed': {
        await ratings.flush(tx, sql);
        const { shoeId, name } = event.data;
        await tx.query(sql.renameShoe, [shoeId, name, shoeNameKey(await brandOf(tx, sql, shoeId), name), at, event.version]);
        break;
      }
      case 'TrueToSizeSubmitted': {
        const { userId, size, previousSize } = event.data;
        ratings.move(event, [size], previousSize === null ? [] : [previousSize]);
        ratings.rate(event.streamId, userId, size);
        break;
      }
      case 'TrueToSizeRetracted': {
        const { userId, retractedSize } = event.data;
        ratings.move(event, [], [retractedSize]);
        ratings.rate(event.streamId, userId, null);
        break;
      }
      case 'TrueToSizesImported':
        ratings.move(event, event.data.sizes, []);
        break;
      default: {
        const _exhaustive: never = event;
        throw new Error(`Unknown shoe event ${(_exhaustive as { type: string }).type}`);
      }
    }
  }
  await ratings.flush(tx, sql);
}

async function brandOf(tx: EntityManager, sql: Statements, shoeId: string): Promise<string | null> {
  const rows: { brand: string | null }[] = await tx.query(sql.brandOf, [shoeId]);
  return rows[0]?.brand ?? null;
}

type CounterDelta = { count: number; sum: number; sizes: number[]; updatedAt: Date; version: number };

/** Rating changes not yet written: counter deltas per shoe and the last rating per (shoe, user). */
class RatingChanges {
  private counters = new Map<string, CounterDelta>();
  private lastRating = new Map<string, { shoeId: string; userId: string; size: number | null }>();

  /** `entering` ratings join the shoe's statistics, `leaving` ones leave them. */
  move(event: RecordedEvent<ShoeEvent>, entering: number[], leaving: number[]): void {
    const delta = this.counters.get(event.streamId) ?? { count: 0, sum: 0, sizes: [0, 0, 0, 0, 0], updatedAt: event.occurredAt, version: 0 };
    for (const [sizes, sign] of [[entering, 1], [leaving, -1]] as const) {
      for (const s of sizes) {
        delta.count += sign;
        delta.sum += sign * s;
        delta.sizes[s - 1] += sign;
      }
    }
    delta.updatedAt = event.occurredAt;
    delta.version = event.version;
    this.counters.set(event.streamId, delta);
  }

  /** The user's current rating of the shoe from now on; null = none (retracted). */
  rate(shoeId: string, userId: string, size: number | null): void {
    this.lastRating.set(`${shoeId}\u0000${userId}`, { shoeId, userId, size });
  }

  async flush(tx: EntityManager, sql: Statements): Promise<void> {
    if (this.counters.size === 0) return;
    const shoes = [...this.counters];
    const rated = [...this.lastRating.values()].filter((r) => r.size !== null);
    const unrated = [...this.lastRating.values()].filter((r) => r.size === null);
    await tx.query(sql.applyRatingChanges, [
      shoes.map(([id]) => id),
      shoes.map(([, d]) => d.count),
      shoes.map(([, d]) => d.sum),
      ...[0, 1, 2, 3, 4].map((i) => shoes.map(([, d]) => d.sizes[i])),
      shoes.map(([, d]) => d.updatedAt),
      shoes.map(([, d]) => d.version),
      rated.map((r) => r.shoeId),
      rated.map((r) => r.userId),
      rated.map((r) => r.size),
      unrated.map((r) => r.shoeId),
      unrated.map((r) => r.userId),
    ]);
    this.counters = new Map();
    this.lastRating = new Map();
  }
}

type Statements = Record<'insertShoe' | 'renameShoe' | 'brandOf' | 'applyRatingChanges', string>;
/** The projection's statements, written once: the rebuild writes its own tables (projections/next-tables.ts). */
const STATEMENTS: Statements = {
  insertShoe: `INSERT INTO shoes (id, name, brand, name_key, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
  renameShoe: `UPDATE shoes SET name = $2, name_key = $3, updated_at = $4, version = $5 WHERE id = $1`,
  brandOf: `SELECT brand FROM shoes WHERE id = $1`,
  // Counter deltas per shoe ($1..$10), ratings set ($11..$13) and removed ($14, $15), parallel arrays. A
  // (shoe, user) pair is in at most one of the two lists, so the two data-modifying CTEs never touch the same row.
  applyRatingChanges: `
    WITH set_ratings AS (
      INSERT INTO shoe_ratings (shoe_id, user_id, size)
      SELECT * FROM unnest($11::uuid[], $12::text[], $13::smallint[])
      ON CONFLICT (shoe_id, user_id) DO UPDATE SET size = EXCLUDED.size
    ), removed_ratings AS (
      DELETE FROM shoe_ratings r USING unnest($14::uuid[], $15::text[]) AS u(shoe_id, user_id)
      WHERE r.shoe_id = u.shoe_id AND r.user_id = u.user_id
    )
    UPDATE shoes s SET rating_count = s.rating_count + d.count, rating_sum = s.rating_sum + d.sum,
      size_1 = s.size_1 + d.s1, size_2 = s.size_2 + d.s2, size_3 = s.size_3 + d.s3, size_4 = s.size_4 + d.s4,
      size_5 = s.size_5 + d.s5, updated_at = d.updated_at, version = d.version
    FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[],
                $9::timestamptz[], $10::int[]) AS d(id, count, sum, s1, s2, s3, s4, s5, updated_at, version)
    WHERE s.id = d.id`,
};
