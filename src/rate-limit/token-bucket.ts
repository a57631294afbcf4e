/**
 * The token-bucket arithmetic the SQL (rate-limit-buckets.sql.ts) leaves to the caller: each key may spend
 * `perMinute` tokens a minute, refilled continuously at perMinute / 60 a second.
 */

/**
 * Whole seconds until a bucket left at `tokens` (< 1) holds one token again: a client that waits that long is
 * sure to get through (unless it, or another caller with the same key, spends the token first). At least 1.
 */
export function retryAfterSeconds(tokens: number, perMinute: number): number {
  return Math.max(1, Math.ceil(((1 - tokens) * 60) / perMinute));
}
