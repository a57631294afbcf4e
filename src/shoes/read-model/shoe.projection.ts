import type { EntityManager } from 'typeorm';
import type { AppendAlongside, EventEnvelope } from '../../event-store/event-store';
import type { ShoeEvent } from '../domain/shoe.events';
import { shoeNameKey } from '../domain/shoe-name';
import { shoesByIds } from './shoe.loaders';
import { SHOE_ROW_COLUMNS, type ShoeRow } from './shoe-row';

/**
 * What the projection reads of an event: its type and data, stream, version and time. A recorded event has them,
 * and so has one about to be appended (its version follows the expected one, its time is the command's).
 */
export type ProjectedShoeEvent = ShoeEvent & Pick<EventEnvelope, 'streamId' | 'version' | 'occurredAt'>;

/**
 * The inline projection of a write, and the read-back of the shoes it answers with (`readBack`, ids), planned
 * for the append that records `events`:
 * - `alongside`: when every event is a rating one (the hot path, a group commit's batch), the projection is one
 *   statement, folded into the append's own (EventStore.appendToStreamsWith), whose RETURNING is the read-back
 *   of the shoes it moves; the other shoes of `readBack` are read in its final SELECT. null otherwise (names and
 *   creations are rare, and a statement cannot change a row twice): the append runs alone.
 * - `finish`: given what `alongside`'s SELECT returned (nothing when it was null), runs what remains (the
 *   statements of applyShoeEvents and the read-back) and resolves with the shoes of `readBack` that exist.
 */
export type ShoeProjection = {
  alongside: ((param: (value: unknown) => string) => AppendAlongside) | null;
  finish(tx: EntityManager, folded: ShoeRow[]): Promise<ShoeRow[]>;
};

export function projectShoeEvents(events: ProjectedShoeEvent[], readBack: string[]): ShoeProjection {
  const ratings = new RatingChanges();
  const ratingsOnly = events.length > 0 && events.every((event) => ratings.add(event));
  if (!ratingsOnly) {
    return {
      alongside: null,
      finish: async (tx) => {
        await applyShoeEvents(tx, events);
        return readBack.length ? shoesByIds(tx, readBack) : [];
      },
    };
  }
  const moved = new Set(ratings.shoeIds());
  const others = readBack.filter((id) => !moved.has(id));
  return {
    alongside: (param) => {
      const p = ratings.parameters().map(param);
      const rest = others.length ? ` UNION ALL SELECT ${SHOE_ROW_COLUMNS} FROM shoes s WHERE s.id = ANY(${param(others)}::uuid[])` : '';
      return { ctes: ratingChangesCtes(p, `RETURNING ${SHOE_ROW_COLUMNS}`), select: `SELECT * FROM projected_shoes${rest}` };
    },
    finish: async (_tx, folded) => folded,
  };
}

/**
 * The inline projection: applies freshly appended shoe events to `shoes` and `shoe_ratings` inside the
 * append transaction, so projection and log commit (or fail) together and a mutation returns its own write.
 * Every statement is O(1) in the number of ratings a shoe has: counters move, nothing is re-folded.
 * Consecutive rating events (of one command or of a whole group commit) are folded into ONE statement:
 * per shoe one counter update, per (shoe, user) its last rating, so a batch costs one round trip, not one
 * per event. `projections:rebuild` checks these tables against the fold of the log (domain `evolve`).
 */
async function applyShoeEvents(tx: EntityManager, events: ProjectedShoeEvent[]): Promise<void> {
  const sql = STATEMENTS;
  const ratings = new RatingChanges();
  for (const event of events) {
    if (ratings.add(event)) continue;
    // Names and creation are rare: written as they come, after the rating changes before them.
    await ratings.flush(tx);
    const at = event.occurredAt;
    switch (event.type) {
      case 'ShoeCreated': {
        const { shoeId, name, brand } = event.data;
        await tx.query(sql.insertShoe, [shoeId, name, brand, shoeNameKey(brand, name), at, event.version]);
        break;
      }
      case 'ShoeRenamed': {
        const { shoeId, name } = event.data;
        await tx.query(sql.renameShoe, [shoeId, name, shoeNameKey(await brandOf(tx, sql, shoeId), name), at, event.version]);
        break;
      }
      default:
        throw new Error(`Unknown shoe event ${event.type}`);
    }
  }
  await ratings.flush(tx);
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

  /** Takes in a rating event (true); any other is not one of the rating changes (false). */
  add(event: ProjectedShoeEvent): boolean {
    switch (event.type) {
      case 'TrueToSizeSubmitted': {
        const { userId, size, previousSize } = event.data;
        this.move(event, [size], previousSize === null ? [] : [previousSize]);
        this.rate(event.streamId, userId, size);
        return true;
      }
      case 'TrueToSizeRetracted': {
        const { userId, retractedSize } = event.data;
        this.move(event, [], [retractedSize]);
        this.rate(event.streamId, userId, null);
        return true;
      }
      case 'TrueToSizesImported':
        this.move(event, event.data.sizes, []);
        return true;
      case 'ShoeCreated':
      case 'ShoeRenamed':
        return false;
      default: {
        const _exhaustive: never = event;
        throw new Error(`Unknown shoe event ${(_exhaustive as { type: string }).type}`);
      }
    }
  }

  /** `entering` ratings join the shoe's statistics, `leaving` ones leave them. */
  private move(event: ProjectedShoeEvent, entering: number[], leaving: number[]): void {
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
  private rate(shoeId: string, userId: string, size: number | null): void {
    this.lastRating.set(`${shoeId}\u0000${userId}`, { shoeId, userId, size });
  }

  /** The shoes whose counters move. */
  shoeIds(): string[] {
    return [...this.counters.keys()];
  }

  /** The 15 parameters of ratingChangesCtes, in order. */
  parameters(): unknown[] {
    const shoes = [...this.counters];
    const rated = [...this.lastRating.values()].filter((r) => r.size !== null);
    const unrated = [...this.lastRating.values()].filter((r) => r.size === null);
    return [
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
    ];
  }

  /** Writes the changes taken in so far, in one statement of their own, and starts over. */
  async flush(tx: EntityManager): Promise<void> {
    if (this.counters.size === 0) return;
    await tx.query(APPLY_RATING_CHANGES, this.parameters());
    this.counters = new Map();
    this.lastRating = new Map();
  }
}

/**
 * The rating changes as the entries of a WITH list: counter deltas per shoe (p[0]..p[9]), ratings set (p[10]..p[12])
 * and removed (p[13], p[14]), parallel arrays; `projected_shoes` updates the counters, with `returning` (or none).
 * A (shoe, user) pair is in at most one of the two lists, so the two data-modifying CTEs never touch the same row.
 */
function ratingChangesCtes(p: string[], returning = ''): string[] {
  return [
    `set_ratings AS (
      INSERT INTO shoe_ratings (shoe_id, user_id, size)
      SELECT * FROM unnest(${p[10]}::uuid[], ${p[11]}::text[], ${p[12]}::smallint[])
      ON CONFLICT (shoe_id, user_id) DO UPDATE SET size = EXCLUDED.size
    )`,
    `removed_ratings AS (
      DELETE FROM shoe_ratings r USING unnest(${p[13]}::uuid[], ${p[14]}::text[]) AS u(shoe_id, user_id)
      WHERE r.shoe_id = u.shoe_id AND r.user_id = u.user_id
    )`,
    `projected_shoes AS (
      UPDATE shoes s SET rating_count = s.rating_count + d.count, rating_sum = s.rating_sum + d.sum,
        size_1 = s.size_1 + d.s1, size_2 = s.size_2 + d.s2, size_3 = s.size_3 + d.s3, size_4 = s.size_4 + d.s4,
        size_5 = s.size_5 + d.s5, updated_at = d.updated_at, version = d.version
      FROM unnest(${p[0]}::uuid[], ${p[1]}::int[], ${p[2]}::bigint[], ${p[3]}::int[], ${p[4]}::int[], ${p[5]}::int[], ${p[6]}::int[],
                  ${p[7]}::int[], ${p[8]}::timestamptz[], ${p[9]}::int[]) AS d(id, count, sum, s1, s2, s3, s4, s5, updated_at, version)
      WHERE s.id = d.id
      ${returning}
    )`,
  ];
}

/** The rating changes in a statement of their own (applyShoeEvents, between name and creation events). */
const APPLY_RATING_CHANGES = `WITH ${ratingChangesCtes(Array.from({ length: 15 }, (_, i) => `$${i + 1}`)).join(', ')} SELECT count(*) FROM projected_shoes`;

type Statements = Record<'insertShoe' | 'renameShoe' | 'brandOf', string>;
/** The projection's statements, written once: the rebuild writes its own tables (projections/next-tables.ts). */
const STATEMENTS: Statements = {
  insertShoe: `INSERT INTO shoes (id, name, brand, name_key, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
  renameShoe: `UPDATE shoes SET name = $2, name_key = $3, updated_at = $4, version = $5 WHERE id = $1`,
  brandOf: `SELECT brand FROM shoes WHERE id = $1`,
};
