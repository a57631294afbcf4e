import { quoteBounded } from '../validation/untrusted-text';

/**
 * Cursors into the global log. A position is the pair (transaction id, global position): the log's
 * order is `ORDER BY transaction_id, global_position` (see event-store.sql.ts for why). Clients see it
 * as an opaque base64url string; inside, both halves stay decimal strings or BigInt, because xid8
 * (64-bit unsigned) and bigserial (63-bit) both outgrow Number.MAX_SAFE_INTEGER eventually.
 */

const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;
/** A cursor is at most 20 + 1 + 19 ASCII digits: 40 bytes, 54 base64url characters. */
const MAX_CURSOR_CHARACTERS = 54;
const CURSOR_SHAPE = /^[A-Za-z0-9_-]{1,54}$/;
const DECODED_SHAPE = /^(0|[1-9]\d{0,19}):([1-9]\d{0,18})$/;

export type DecodedPosition = { transactionId: string; globalPosition: string };

/**
 * A cursor that is not one this service handed out (GraphQL maps it to a bad-input error). The message quotes
 * at most the cursor's start: it goes back to the client and may be 100 KB of anything.
 */
export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
  constructor(readonly cursor: unknown) {
    super(`Invalid event position: ${quoteBounded(cursor, MAX_CURSOR_CHARACTERS)}`);
  }
}

export function encodePosition(transactionId: string | bigint, globalPosition: string | bigint): string {
  return Buffer.from(`${transactionId}:${globalPosition}`, 'utf8').toString('base64url');
}

/** Throws InvalidPositionError unless `cursor` is exactly what encodePosition produces (canonical form). */
export function decodePosition(cursor: string): DecodedPosition {
  if (typeof cursor !== 'string' || !CURSOR_SHAPE.test(cursor)) throw new InvalidPositionError(cursor);
  const match = DECODED_SHAPE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new InvalidPositionError(cursor);
  const [, transactionId, globalPosition] = match;
  if (BigInt(transactionId) > MAX_XID8 || BigInt(globalPosition) > MAX_BIGINT) throw new InvalidPositionError(cursor);
  // Rejects non-canonical spellings of the same bytes (e.g. padding), so one position has one cursor.
  if (encodePosition(transactionId, globalPosition) !== cursor) throw new InvalidPositionError(cursor);
  return { transactionId, globalPosition };
}

/**
 * One BigInt that sorts like the log: transaction id in the high 64 bits, global position in the low 64.
 * `null` (the start of the log, before every event) maps to -1.
 */
export function positionSortKey(cursor: string | null): bigint {
  if (cursor === null) return -1n;
  const { transactionId, globalPosition } = decodePosition(cursor);
  return (BigInt(transactionId) << 64n) | BigInt(globalPosition);
}
