import { decodePosition, encodePosition, InvalidPositionError, positionSortKey } from './position';

describe('positions', () => {
  it('round-trips, including values beyond 2^53', () => {
    const transactionId = (2n ** 64n - 1n).toString();
    const globalPosition = (2n ** 63n - 1n).toString();
    expect(decodePosition(encodePosition(transactionId, globalPosition))).toEqual({ transactionId, globalPosition });
    expect(decodePosition(encodePosition(1234n, 5n))).toEqual({ transactionId: '1234', globalPosition: '5' });
  });

  it('orders by transaction id, then global position, numerically', () => {
    const ordered = [
      encodePosition('9', '100'),
      encodePosition('10', '2'),
      encodePosition('10', '10'),
      encodePosition('9007199254740993', '1'),
      encodePosition('9007199254740993', '9007199254740993'),
    ];
    for (let i = 1; i < ordered.length; i++) {
      expect(positionSortKey(ordered[i - 1])).toBeLessThan(positionSortKey(ordered[i]));
    }
    expect(positionSortKey(ordered[2])).toBe(positionSortKey(encodePosition('10', '10')));
    expect(positionSortKey(null)).toBeLessThan(positionSortKey(ordered[0]));
    expect(positionSortKey(encodePosition('0', '1'))).toBeGreaterThan(positionSortKey(null));
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/'],
    ['padded', `${encodePosition('1', '2')}=`],
    ['no separator', Buffer.from('12').toString('base64url')],
    ['leading zero', Buffer.from('01:2').toString('base64url')],
    ['position zero', Buffer.from('1:0').toString('base64url')],
    ['negative', Buffer.from('-1:2').toString('base64url')],
    ['xid8 overflow', Buffer.from(`${2n ** 64n}:2`).toString('base64url')],
    ['bigint overflow', Buffer.from(`1:${2n ** 63n}`).toString('base64url')],
    ['trailing junk', Buffer.from('1:2 ').toString('base64url')],
  ])('rejects a malformed cursor (%s)', (_, cursor) => {
    expect(() => decodePosition(cursor)).toThrow(InvalidPositionError);
  });

  it('given a 90,000-character cursor, then the error quotes only its start', () => {
    const quoted = `Invalid event position: "${'A'.repeat(54)}"… (90000 characters)`;
    expect(() => decodePosition('A'.repeat(90_000))).toThrow(new InvalidPositionError('A'.repeat(90_000)));
    expect(new InvalidPositionError('A'.repeat(90_000)).message).toBe(quoted);
  });

  it('rejects non-strings', () => {
    expect(() => decodePosition(42 as unknown as string)).toThrow(InvalidPositionError);
  });
});
