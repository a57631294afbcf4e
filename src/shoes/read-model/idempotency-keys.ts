import type { EntityManager } from 'typeorm';

/**
 * `idempotency_keys`: a key a client sent with a mutation, scoped to (user, mutation), stored in the transaction
 * of the write it guards, with a hash of the request it came with and the shoe that write answered with.
 */
export type IdempotencyKey = { userId: string; mutation: string; key: string };

/** The request hash and shoe of a key seen before, or null. */
export async function findIdempotencyKey(tx: EntityManager, { userId, mutation, key }: IdempotencyKey): Promise<{ requestHash: string; shoeId: string } | null> {
  const rows: { requestHash: string; shoeId: string }[] = await tx.query(
    `SELECT request_hash AS "requestHash", shoe_id::text AS "shoeId" FROM idempotency_keys WHERE user_id = $1 AND mutation = $2 AND key = $3`,
    [userId, mutation, key],
  );
  return rows[0] ?? null;
}

export async function rememberIdempotencyKey(
  tx: EntityManager,
  { userId, mutation, key }: IdempotencyKey,
  answer: { requestHash: string; shoeId: string; at: Date },
): Promise<void> {
  await tx.query(`INSERT INTO idempotency_keys (user_id, mutation, key, request_hash, shoe_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    userId,
    mutation,
    key,
    answer.requestHash,
    answer.shoeId,
    answer.at,
  ]);
}
