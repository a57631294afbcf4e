import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../../event-store/event-store';
import type { ShoeEvent } from '../domain/shoe.events';
import { shoeNameKey } from '../domain/shoe-name';

/**
 * The inline projection: applies freshly appended shoe events to `shoes` and `shoe_ratings` inside the
 * append transaction, so projection and log commit (or fail) together and a mutation returns its own write.
 * Every statement is O(1) in the number of ratings a shoe has: counters move, nothing is re-folded.
 * `projections:rebuild` checks these tables against the fold of the log (domain `evolve`).
 */
export async function applyShoeEvents(tx: EntityManager, events: RecordedEvent<ShoeEvent>[]): Promise<void> {
  for (const event of events) await applyShoeEvent(tx, event);
}

async function applyShoeEvent(tx: EntityManager, event: RecordedEvent<ShoeEvent>): Promise<void> {
  const at = event.occurredAt;
  switch (event.type) {
    case 'ShoeCreated': {
      const { shoeId, name, brand } = event.data;
      await tx.query(
        `INSERT INTO shoes (id, name, brand, name_key, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, $6)`,
        [shoeId, name, brand, shoeNameKey(brand, name), at, event.version],
      );
      return;
    }
    case 'ShoeRenamed': {
      const { shoeId, name } = event.data;
      await tx.query(
        `UPDATE shoes SET name = $2, name_key = $3, updated_at = $4, version = $5 WHERE id = $1`,
        [shoeId, name, shoeNameKey(await brandOf(tx, shoeId), name), at, event.version],
      );
      return;
    }
    case 'TrueToSizeSubmitted': {
      const { shoeId, userId, size, previousSize } = event.data;
      await moveCounters(tx, event, [size], previousSize === null ? [] : [previousSize]);
      await tx.query(
        `INSERT INTO shoe_ratings (shoe_id, user_id, size) VALUES ($1, $2, $3)
         ON CONFLICT (shoe_id, user_id) DO UPDATE SET size = EXCLUDED.size`,
        [shoeId, userId, size],
      );
      return;
    }
    case 'TrueToSizeRetracted': {
      const { shoeId, userId, retractedSize } = event.data;
      await moveCounters(tx, event, [], [retractedSize]);
      await tx.query(`DELETE FROM shoe_ratings WHERE shoe_id = $1 AND user_id = $2`, [shoeId, userId]);
      return;
    }
    case 'TrueToSizesImported':
      await moveCounters(tx, event, event.data.sizes, []);
      return;
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown shoe event ${(_exhaustive as { type: string }).type}`);
    }
  }
}

async function brandOf(tx: EntityManager, shoeId: string): Promise<string | null> {
  const rows: { brand: string | null }[] = await tx.query(`SELECT brand FROM shoes WHERE id = $1`, [shoeId]);
  return rows[0]?.brand ?? null;
}

/** Adds `entering` ratings and removes `leaving` ones in one UPDATE of the shoe's counters. */
async function moveCounters(
  tx: EntityManager,
  event: RecordedEvent<ShoeEvent>,
  entering: number[],
  leaving: number[],
): Promise<void> {
  const delta = [0, 0, 0, 0, 0];
  for (const s of entering) delta[s - 1] += 1;
  for (const s of leaving) delta[s - 1] -= 1;
  const sum = entering.reduce((a, b) => a + b, 0) - leaving.reduce((a, b) => a + b, 0);
  await tx.query(
    `UPDATE shoes SET rating_count = rating_count + $2, rating_sum = rating_sum + $3,
       size_1 = size_1 + $4, size_2 = size_2 + $5, size_3 = size_3 + $6, size_4 = size_4 + $7, size_5 = size_5 + $8,
       updated_at = $9, version = $10
     WHERE id = $1`,
    [event.streamId, entering.length - leaving.length, sum, ...delta, event.occurredAt, event.version],
  );
}
