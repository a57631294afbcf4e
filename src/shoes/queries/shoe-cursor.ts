import { MAX_NAME_LENGTH } from '../domain/shoe-name';
import { ShoeOrder } from '../read-model/shoe-order';
import type { ShoeRow } from '../read-model/shoe-row';
import { untrustedTextProblem } from '../../validation/untrusted-text';

/**
 * Opaque keyset cursors for `shoes`: the sort key of the last row, tagged with its order so a cursor from
 * one order is refused by another. Names are kept as stored and lowered by PostgreSQL on both sides of
 * the comparison, so JavaScript's and the database's idea of lower case can never disagree.
 * Keyset (not offset) paging stays O(page) however deep a client pages.
 */
export type ShoeSortKey = (string | number)[];

export class InvalidCursorError extends Error {
  constructor(what = 'after') {
    super(`${what} is not a cursor this API gave out`);
    this.name = 'InvalidCursorError';
  }
}

export function sortKeyOf(order: ShoeOrder, shoe: ShoeRow): ShoeSortKey {
  switch (order) {
    case ShoeOrder.NAME_ASC:
      return [shoe.name, shoe.id];
    case ShoeOrder.CREATED_AT_DESC:
      return [shoe.createdAt.toISOString(), shoe.id];
    case ShoeOrder.MOST_RATED:
      return [shoe.ratingCount, shoe.name, shoe.id];
    default: {
      const _exhaustive: never = order;
      throw new Error(`unknown order ${String(_exhaustive)}`);
    }
  }
}

export function encodeShoeCursor(order: ShoeOrder, key: ShoeSortKey): string {
  return Buffer.from(JSON.stringify([order, ...key])).toString('base64url');
}

/**
 * The longest cursor this API gives out: a MOST_RATED key of a 200-character name of 4-byte characters (or of
 * quotes, which JSON escapes) is under 900 bytes of JSON, under 1,200 base64url characters. Anything longer is
 * refused before it is even decoded.
 */
const MAX_CURSOR_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Exactly what Date#toISOString writes for the years PostgreSQL and JavaScript both hold. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** rating_count is an `int` column. */
const MAX_INT = 2 ** 31 - 1;

const isName = (v: unknown): v is string => typeof v === 'string' && untrustedTextProblem(v, MAX_NAME_LENGTH) === null;
const isId = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
const isInstant = (v: unknown): v is string => typeof v === 'string' && ISO_INSTANT.test(v) && isSameInstant(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_INT;

/** Rejects dates that the pattern lets through but the calendar does not (2026-02-30 would roll over). */
function isSameInstant(iso: string): boolean {
  const time = Date.parse(iso);
  return !Number.isNaN(time) && new Date(time).toISOString() === iso;
}

/**
 * Every part of a key checked as what sortKeyOf writes (a lower-case UUID, a name PostgreSQL can store, an
 * instant, an int count), so a forged cursor is a bad-input error here, never a failed query (before, each
 * such query answered INTERNAL_SERVER_ERROR and logged a stack trace).
 */
const SHAPES: Record<ShoeOrder, ((v: unknown) => boolean)[]> = {
  [ShoeOrder.NAME_ASC]: [isName, isId],
  [ShoeOrder.CREATED_AT_DESC]: [isInstant, isId],
  [ShoeOrder.MOST_RATED]: [isCount, isName, isId],
};

export function decodeShoeCursor(order: ShoeOrder, cursor: string): ShoeSortKey {
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed[0] !== order) throw new InvalidCursorError();
  const key: unknown[] = parsed.slice(1);
  const shape = SHAPES[order];
  if (key.length !== shape.length || !shape.every((isValid, i) => isValid(key[i]))) throw new InvalidCursorError();
  return key as ShoeSortKey;
}
