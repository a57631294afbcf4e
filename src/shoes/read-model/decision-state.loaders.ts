import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';
import type { FitSize, ShoeDecisionState } from '../domain';

/** What a command decides on, besides names: its shoe, and (for ratings) the user's current rating of it. */
export type LoadedDecisionState = { shoe: ShoeDecisionState; currentSize: FitSize | null };

/** What a batch's commands need loaded: per shoe, and the user whose rating of it (null: none wanted). */
export type DecisionStateNeed = { shoeId: string; userId: string | null };

type DecisionStateRow = { shoe_id: string; name: string | null; brand: string | null; version: number | null; size: FitSize | null };

/** Per shoe its row, and the rating of `user_id`, for the (shoe_id, user_id) pairs of the two arrays given. */
const decisionStatesSql = (shoeIds: string, userIds: string) => `
  SELECT q.shoe_id::text AS shoe_id, s.name, s.brand, s.version, r.size
  FROM unnest(${shoeIds}::uuid[], ${userIds}::text[]) AS q(shoe_id, user_id)
  LEFT JOIN shoes s ON s.id = q.shoe_id
  LEFT JOIN shoe_ratings r ON r.shoe_id = q.shoe_id AND r.user_id = q.user_id`;

/**
 * The decision states of a whole batch in one statement, from tables written in the same transactions as the
 * log (so a command never folds a stream): per shoe its row, and the rating of `userId` (null: none wanted).
 * One entry per shoe id, lower case; a batch holds one command per shoe.
 */
export async function loadDecisionStates(tx: EntityManager, needs: DecisionStateNeed[]): Promise<Map<string, LoadedDecisionState>> {
  if (needs.length === 0) return new Map();
  const rows: DecisionStateRow[] = await tx.query(decisionStatesSql('$1', '$2'), [needs.map((n) => n.shoeId), needs.map((n) => n.userId)]);
  return toDecisionStates(rows);
}

/**
 * loadDecisionStates as a statement without parameters, its values written into the text, to be sent in one
 * message with the locks before it (EventStore.transaction's `then`); read its rows with toDecisionStates.
 * Only canonical uuids are written as they are; user ids are quoted by node-postgres' escapeLiteral (which
 * doubles quotes and backslashes). null when a shoe id is not a canonical uuid: load with loadDecisionStates.
 */
export function decisionStatesInline(needs: DecisionStateNeed[]): string | null {
  if (needs.length === 0 || !needs.every((n) => CANONICAL_UUID.test(n.shoeId))) return null;
  const shoeIds = `ARRAY[${needs.map((n) => `'${n.shoeId}'`).join(', ')}]`;
  const userIds = `ARRAY[${needs.map((n) => (n.userId === null ? 'NULL' : escapeLiteral(n.userId))).join(', ')}]`;
  return decisionStatesSql(shoeIds, userIds);
}

/** The rows of either statement as one state per shoe id. */
export function toDecisionStates(rows: unknown[]): Map<string, LoadedDecisionState> {
  const states = new Map<string, LoadedDecisionState>();
  for (const { shoe_id: shoeId, name, brand, version, size } of rows as DecisionStateRow[]) {
    const shoe: ShoeDecisionState = version === null ? { status: 'absent' } : { status: 'existing', shoeId, name: name!, brand, version };
    states.set(shoeId, { shoe, currentSize: size });
  }
  return states;
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id of the shoe holding a (brand, name) uniqueness key (shoeNameKey), if any. */
export async function loadNameOwner(tx: EntityManager, nameKey: string): Promise<string | null> {
  const rows: { id: string }[] = await tx.query(`SELECT id::text AS id FROM shoes WHERE name_key = $1`, [nameKey]);
  return rows[0]?.id ?? null;
}
