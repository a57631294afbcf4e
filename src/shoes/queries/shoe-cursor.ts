import { ShoeOrder } from '../graphql/shoe.model';
import type { ShoeEntity } from '../projections/shoe.entity';

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

export function sortKeyOf(order: ShoeOrder, shoe: ShoeEntity): ShoeSortKey {
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

export function decodeShoeCursor(order: ShoeOrder, cursor: string): ShoeSortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed[0] !== order) throw new InvalidCursorError();
  const key = parsed.slice(1);
  const shapes: Record<ShoeOrder, string[]> = {
    [ShoeOrder.NAME_ASC]: ['string', 'string'],
    [ShoeOrder.CREATED_AT_DESC]: ['string', 'string'],
    [ShoeOrder.MOST_RATED]: ['number', 'string', 'string'],
  };
  const shape = shapes[order];
  if (key.length !== shape.length || key.some((v, i) => typeof v !== shape[i])) throw new InvalidCursorError();
  if (order === ShoeOrder.CREATED_AT_DESC && Number.isNaN(Date.parse(key[0]))) throw new InvalidCursorError();
  return key;
}
