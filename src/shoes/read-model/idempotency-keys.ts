import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * `idempotency_keys`: a key a client sent with a mutation, scoped to (user, mutation), stored in the transaction
 * of the write it guards, with a hash of the request it came with and the shoe that write answered with.
 */
export type IdempotencyKey = { userId: string; mutation: string; key: string };

/** The request hash and shoe of a key seen before. */
export type SeenIdempotencyKey = { requestHash: string; shoeId: string };

/** A key to remember: what a write's answer was for it. */
export type RememberedIdempotencyKey = IdempotencyKey & SeenIdempotencyKey & { at: Date };

const findSql = (userId: string, mutation: string, key: string) =>
  `SELECT request_hash AS "requestHash", shoe_id::text AS "shoeId" FROM idempotency_keys WHERE user_id = ${userId} AND mutation = ${mutation} AND key = ${key}`;

/** The request hash and shoe of a key seen before, or null. */
export async function findIdempotencyKey(tx: EntityManager, { userId, mutation, key }: IdempotencyKey): Promise<SeenIdempotencyKey | null> {
  return toSeenIdempotencyKey(await tx.query(findSql('$1', '$2', '$3'), [userId, mutation, key]));
}

/**
 * findIdempotencyKey as a statement without parameters, to be sent in BEGIN's message (EventStore.transaction's
 * `then`), after the key's lock; read its rows with toSeenIdempotencyKey. The key is client text: written quoted by
 * node-postgres' escapeLiteral (quotes and backslashes doubled, E'' when needed), as the user ids of the decision
 * state load are; planning already refused keys with NUL (checkIdempotencyKey).
 */
export function findIdempotencyKeyInline({ userId, mutation, key }: IdempotencyKey): string {
  return findSql(escapeLiteral(userId), escapeLiteral(mutation), escapeLiteral(key));
}

/** The rows of either statement: the key as seen before, or null. */
export function toSeenIdempotencyKey(rows: unknown[]): SeenIdempotencyKey | null {
  return (rows as SeenIdempotencyKey[])[0] ?? null;
}

/** Remembers one key in a statement of its own. */
export async function rememberIdempotencyKey(tx: EntityManager, { userId, mutation, key, requestHash, shoeId, at }: RememberedIdempotencyKey): Promise<void> {
  await tx.query(`INSERT INTO idempotency_keys (user_id, mutation, key, request_hash, shoe_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    userId,
    mutation,
    key,
    requestHash,
    shoeId,
    at,
  ]);
}

/**
 * Remembers `keys` as an entry of a statement's WITH list (EventStore.appendToStreamsWith's AppendAlongside), so that
 * they cost no round trip of their own; `param` adds a parameter and returns its placeholder. A data-modifying CTE
 * always runs, and fails (or is undone) with its statement.
 */
export function rememberIdempotencyKeysCte(param: (value: unknown) => string, keys: RememberedIdempotencyKey[]): string {
  const column = <K extends keyof RememberedIdempotencyKey>(name: K) => param(keys.map((k) => k[name]));
  return `remembered_idempotency_keys AS (
    INSERT INTO idempotency_keys (user_id, mutation, key, request_hash, shoe_id, created_at)
    SELECT * FROM unnest(${column('userId')}::text[], ${column('mutation')}::text[], ${column('key')}::text[], ${column('requestHash')}::text[], ${column('shoeId')}::uuid[], ${column('at')}::timestamptz[])
  )`;
}
