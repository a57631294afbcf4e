import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../event-store/event-store';
import type { ShoeEvent } from '../domain/shoe.events';
import { shoeNameKey } from '../domain/shoe-name';

/**
 * The tables one run of the projection writes. The inline path writes the live tables; an online rebuild
 * (online-rebuild.ts) writes a new version of them with this very code, so the rebuilt tables can only
 * differ from what the inline path would have made if the inline path itself is wrong.
 */
export type ShoeTables = { shoes: string; shoeRatings: string };
export const LIVE_SHOE_TABLES: ShoeTables = Object.freeze({ shoes: 'shoes', shoeRatings: 'shoe_ratings' });
export const NEXT_SHOE_TABLES: ShoeTables = Object.freeze({ shoes: 'shoes_next', shoeRatings: 'shoe_ratings_next' });

/**
 * The inline projection: applies freshly appended shoe events to `shoes` and `shoe_ratings` inside the
 * append transaction, so projection and log commit (or fail) together and a mutation returns its own write.
 * Every statement is O(1) in the number of ratings a shoe has: counters move, nothing is re-folded.
 * `projections:rebuild` checks these tables against the fold of the log (domain `evolve`).
 * `tables`: the live ones unless an online rebuild is filling their next version.
 */
export async function applyShoeEvents(
  tx: EntityManager,
  events: RecordedEvent<ShoeEvent>[],
  tables: ShoeTables = LIVE_SHOE_TABLES,
): Promise<void> {
  const sql = statementsFor(tables);
  for (const event of events) await applyShoeEvent(tx, event, sql);
}

async function applyShoeEvent(tx: EntityManager, event: RecordedEvent<ShoeEvent>, sql: Statements): Promise<void> {
  const at = event.occurredAt;
  switch (event.type) {
    case 'ShoeCreated': {
      const { shoeId, name, brand } = event.data;
      await tx.query(sql.insertShoe, [shoeId, name, brand, shoeNameKey(brand, name), at, event.version]);
      return;
    }
    case 'ShoeRenamed': {
      const { shoeId, name } = event.data;
      await tx.query(sql.renameShoe, [shoeId, name, shoeNameKey(await brandOf(tx, sql, shoeId), name), at, event.version]);
      return;
    }
    case 'TrueToSizeSubmitted': {
      const { shoeId, userId, size, previousSize } = event.data;
      await moveCounters(tx, sql, event, [size], previousSize === null ? [] : [previousSize]);
      await tx.query(sql.upsertRating, [shoeId, userId, size]);
      return;
    }
    case 'TrueToSizeRetracted': {
      const { shoeId, userId, retractedSize } = event.data;
      await moveCounters(tx, sql, event, [], [retractedSize]);
      await tx.query(sql.deleteRating, [shoeId, userId]);
      return;
    }
    case 'TrueToSizesImported':
      await moveCounters(tx, sql, event, event.data.sizes, []);
      return;
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown shoe event ${(_exhaustive as { type: string }).type}`);
    }
  }
}

async function brandOf(tx: EntityManager, sql: Statements, shoeId: string): Promise<string | null> {
  const rows: { brand: string | null }[] = await tx.query(sql.brandOf, [shoeId]);
  return rows[0]?.brand ?? null;
}

/** Adds `entering` ratings and removes `leaving` ones in one UPDATE of the shoe's counters. */
async function moveCounters(
  tx: EntityManager,
  sql: Statements,
  event: RecordedEvent<ShoeEvent>,
  entering: number[],
  leaving: number[],
): Promise<void> {
  const delta = [0, 0, 0, 0, 0];
  for (const s of entering) delta[s - 1] += 1;
  for (const s of leaving) delta[s - 1] -= 1;
  const sum = entering.reduce((a, b) => a + b, 0) - leaving.reduce((a, b) => a + b, 0);
  await tx.query(sql.moveCounters, [event.streamId, entering.length - leaving.length, sum, ...delta, event.occurredAt, event.version]);
}

type Statements = Record<'insertShoe' | 'renameShoe' | 'brandOf' | 'moveCounters' | 'upsertRating' | 'deleteRating', string>;
const statementCache = new Map<string, Statements>();

/** The projection's SQL for one pair of tables, built once per pair (names are our constants, quoted anyway). */
function statementsFor(tables: ShoeTables): Statements {
  const cacheKey = `${tables.shoes}\u0000${tables.shoeRatings}`;
  const cached = statementCache.get(cacheKey);
  if (cached) return cached;
  const shoes = quoteIdentifier(tables.shoes);
  const ratings = quoteIdentifier(tables.shoeRatings);
  const statements: Statements = {
    insertShoe: `INSERT INTO ${shoes} (id, name, brand, name_key, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
    renameShoe: `UPDATE ${shoes} SET name = $2, name_key = $3, updated_at = $4, version = $5 WHERE id = $1`,
    brandOf: `SELECT brand FROM ${shoes} WHERE id = $1`,
    moveCounters: `UPDATE ${shoes} SET rating_count = rating_count + $2, rating_sum = rating_sum + $3,
       size_1 = size_1 + $4, size_2 = size_2 + $5, size_3 = size_3 + $6, size_4 = size_4 + $7, size_5 = size_5 + $8,
       updated_at = $9, version = $10
     WHERE id = $1`,
    upsertRating: `INSERT INTO ${ratings} (shoe_id, user_id, size) VALUES ($1, $2, $3)
         ON CONFLICT (shoe_id, user_id) DO UPDATE SET size = EXCLUDED.size`,
    deleteRating: `DELETE FROM ${ratings} WHERE shoe_id = $1 AND user_id = $2`,
  };
  statementCache.set(cacheKey, statements);
  return statements;
}

/** PostgreSQL's quote_ident for a plain name. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
