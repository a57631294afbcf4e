import type { EntityManager } from 'typeorm';
import type { FitSize, ShoeDecisionState } from '../domain';

/** What a command decides on, besides names: its shoe, and (for ratings) the user's current rating of it. */
export type LoadedDecisionState = { shoe: ShoeDecisionState; currentSize: FitSize | null };

/**
 * The decision states of a whole batch in one statement, from tables written in the same transactions as the
 * log (so a command never folds a stream): per shoe its row, and the rating of `userId` (null: none wanted).
 * One entry per shoe id, lower case; a batch holds one command per shoe.
 */
export async function loadDecisionStates(
  tx: EntityManager,
  needs: { shoeId: string; userId: string | null }[],
): Promise<Map<string, LoadedDecisionState>> {
  const states = new Map<string, LoadedDecisionState>();
  if (needs.length === 0) return states;
  const rows: { shoe_id: string; name: string | null; brand: string | null; version: number | null; size: FitSize | null }[] = await tx.query(
    `SELECT q.shoe_id::text AS shoe_id, s.name, s.brand, s.version, r.size
     FROM unnest($1::uuid[], $2::text[]) AS q(shoe_id, user_id)
     LEFT JOIN shoes s ON s.id = q.shoe_id
     LEFT JOIN shoe_ratings r ON r.shoe_id = q.shoe_id AND r.user_id = q.user_id`,
    [needs.map((n) => n.shoeId), needs.map((n) => n.userId)],
  );
  for (const { shoe_id: shoeId, name, brand, version, size } of rows) {
    const shoe: ShoeDecisionState = version === null ? { status: 'absent' } : { status: 'existing', shoeId, name: name!, brand, version };
    states.set(shoeId, { shoe, currentSize: size });
  }
  return states;
}

/** The id of the shoe holding a (brand, name) uniqueness key (shoeNameKey), if any. */
export async function loadNameOwner(tx: EntityManager, nameKey: string): Promise<string | null> {
  const rows: { id: string }[] = await tx.query(`SELECT id::text AS id FROM shoes WHERE name_key = $1`, [nameKey]);
  return rows[0]?.id ?? null;
}
