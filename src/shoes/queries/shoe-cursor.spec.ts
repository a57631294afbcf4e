import { ShoeOrder } from '../read-model/shoe-order';
import type { ShoeRow } from '../read-model/shoe-row';
import { decodeShoeCursor, encodeShoeCursor, InvalidCursorError, sortKeyOf } from './shoe-cursor';

const id = '6f1c1c2e-3b0a-4a7e-9c1d-2f0e5b8a9d10';
const shoe = { id, name: 'Air Max "90" 👟', createdAt: new Date('2026-11-24T01:02:03.456Z'), ratingCount: 42 } as ShoeRow;
const forged = (...parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');

describe('decodeShoeCursor', () => {
  it.each(Object.values(ShoeOrder))('given a cursor it gave out (%s), then it reads back the sort key', (order) => {
    const key = sortKeyOf(order, shoe);
    expect(decodeShoeCursor(order, encodeShoeCursor(order, key))).toEqual(key);
  });

  it('given the longest name of the widest characters in every order, then the cursor is still accepted', () => {
    for (const name of ['😀'.repeat(200), '"'.repeat(200)]) {
      const key = sortKeyOf(ShoeOrder.MOST_RATED, { ...shoe, name, ratingCount: 2 ** 31 - 1 } as ShoeRow);
      expect(decodeShoeCursor(ShoeOrder.MOST_RATED, encodeShoeCursor(ShoeOrder.MOST_RATED, key))).toEqual(key);
    }
  });

  it('given a cursor of another order, then it is refused', () => {
    const cursor = encodeShoeCursor(ShoeOrder.NAME_ASC, sortKeyOf(ShoeOrder.NAME_ASC, shoe));
    expect(() => decodeShoeCursor(ShoeOrder.CREATED_AT_DESC, cursor)).toThrow(InvalidCursorError);
  });

  it.each([
    ['not base64url', ShoeOrder.NAME_ASC, 'abc+/='],
    ['not JSON', ShoeOrder.NAME_ASC, Buffer.from('nope').toString('base64url')],
    ['2,049 characters', ShoeOrder.NAME_ASC, 'A'.repeat(2049)],
    ['an id that is no UUID', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'Air', 'not-a-uuid')],
    ['an upper-case id (never given out)', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'Air', id.toUpperCase())],
    ['a NUL in the name', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'Air\u0000', id)],
    ['a lone surrogate in the name', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'Air\ud800', id)],
    ['a 201-character name', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'a'.repeat(201), id)],
    ['a missing part', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'Air')],
    ['an extra part', ShoeOrder.NAME_ASC, forged('NAME_ASC', 'Air', id, 1)],
    ['a date PostgreSQL cannot read', ShoeOrder.CREATED_AT_DESC, forged('CREATED_AT_DESC', '1', id)],
    ['a date without time', ShoeOrder.CREATED_AT_DESC, forged('CREATED_AT_DESC', '2026-11-24', id)],
    ['a day that does not exist', ShoeOrder.CREATED_AT_DESC, forged('CREATED_AT_DESC', '2026-02-30T00:00:00.000Z', id)],
    ['an extended year', ShoeOrder.CREATED_AT_DESC, forged('CREATED_AT_DESC', '+275760-09-13T00:00:00.000Z', id)],
    ['a count beyond int', ShoeOrder.MOST_RATED, forged('MOST_RATED', 2 ** 31, 'Air', id)],
    ['a count of 1e300', ShoeOrder.MOST_RATED, forged('MOST_RATED', 1e300, 'Air', id)],
    ['a fractional count', ShoeOrder.MOST_RATED, forged('MOST_RATED', 1.5, 'Air', id)],
    ['a negative count', ShoeOrder.MOST_RATED, forged('MOST_RATED', -1, 'Air', id)],
    ['a count as text', ShoeOrder.MOST_RATED, forged('MOST_RATED', '1', 'Air', id)],
  ])('given %s, then it is refused', (_case, order, cursor) => {
    expect(() => decodeShoeCursor(order, cursor)).toThrow(InvalidCursorError);
  });
});
