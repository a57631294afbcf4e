/**
 * The rate limits' SQL. Table: src/database/migrations/1732400000300-rate-limit-buckets.ts.
 *
 * One statement takes one token from the caller's address bucket and then from its user's, so a mutation costs
 * one round trip whatever it is checked against. Each bucket refills continuously at `perMinute / 60` tokens a
 * second up to `perMinute` (no fixed windows, so no double burst at a minute boundary), computed here with the
 * database's clock: every instance sees the same time, whatever its own clock says.
 *
 * - A new key is inserted full, less the token it spends (a missing row and a full bucket are the same thing).
 * - `ON CONFLICT DO UPDATE` locks the row, so concurrent takes of one key queue and each sees the level the one
 *   before left: two instances can never both spend the last token.
 * - statement_timestamp() rather than clock_timestamp(): one instant for the whole statement. A statement that
 *   waited for the row lock may carry an instant older than the row's `updated_at`; the refill is then 0 (never
 *   negative) and `updated_at` never moves back.
 * - The user's bucket is touched only when the address allowed the call (the `"user"` CTE reads the address
 *   CTE's result): as before, a call refused for its address spends nothing of its user's allowance, while one
 *   refused for its user has spent its address's.
 * - `taken` records whether this take spent a token, since RETURNING shows only the row as it is now.
 *
 * Parameters: $1 address (NULL: not limited), $2 address per minute, $3 user id (NULL: not limited), $4 user per
 * minute. Rows: one per bucket touched, with `tokens` the level left (when refused: below 1).
 */
const take = (scope: 'address' | 'user', subject: string, perMinute: string, alsoWhen = 'true') => `
  INSERT INTO rate_limit_buckets AS b (scope, subject, tokens, taken, updated_at)
  SELECT '${scope}', ${subject}::text, ${perMinute}::float8 - 1, true, statement_timestamp()
  WHERE ${subject}::text IS NOT NULL AND ${alsoWhen}
  ON CONFLICT (scope, subject) DO UPDATE
  SET (tokens, taken, updated_at) = (
    SELECT CASE WHEN level >= 1 THEN level - 1 ELSE level END, level >= 1, greatest(b.updated_at, statement_timestamp())
    FROM (
      SELECT least(${perMinute}::float8, b.tokens + greatest(0, extract(epoch FROM statement_timestamp() - b.updated_at)::float8) * ${perMinute}::float8 / 60) AS level
    ) AS refilled
  )
  RETURNING scope, taken, tokens`;

export const TAKE_TOKENS = `
WITH address AS (${take('address', '$1', '$2')}
), "user" AS (${take('user', '$3', '$4', 'NOT EXISTS (SELECT FROM address WHERE NOT taken)')}
)
SELECT scope, taken, tokens FROM address UNION ALL SELECT scope, taken, tokens FROM "user"`;

export type TakenRow = { scope: 'address' | 'user'; taken: boolean; tokens: number };

/**
 * Deletes buckets idle for a minute: a bucket refills completely within a minute, so such a row is full and
 * the same as no row. The table follows the clients active in the last minute, not every client ever seen.
 * A take that updates the row meanwhile makes it fail the re-checked condition, so a live bucket is never lost.
 * Under a transaction-level advisory lock (this statement is its own transaction): with N instances sweeping
 * every minute, one sweeps and the others skip instead of scanning the same rows at once.
 */
export const SWEEP_FULL_BUCKETS = `
DELETE FROM rate_limit_buckets
WHERE (SELECT pg_try_advisory_xact_lock(hashtextextended('true-to-size:rate-limit-sweep', 0)))
  AND updated_at < statement_timestamp() - interval '1 minute'`;
