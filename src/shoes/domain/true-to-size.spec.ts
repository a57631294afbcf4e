import type { FitSize } from './shoe.events';
import { addRating, averageOf, emptyStats, isFitSize, MAX_IMPORT_SIZES, removeRating } from './true-to-size';

const statsOf = (sizes: FitSize[]) => sizes.reduce(addRating, emptyStats());

describe('TrueToSize statistics', () => {
  it('start empty, with no average', () => {
    expect(emptyStats()).toEqual({ count: 0, sum: 0, distribution: [0, 0, 0, 0, 0] });
    expect(averageOf(emptyStats())).toBeNull();
  });

  it('give the StockX example 36 / 14 as a plain IEEE double', () => {
    const stats = statsOf([1, 2, 2, 3, 2, 3, 2, 2, 3, 4, 2, 5, 2, 3]);
    expect(stats).toEqual({ count: 14, sum: 36, distribution: [1, 7, 4, 1, 1] });
    expect(averageOf(stats)).toBe(2.5714285714285716);
    expect(averageOf(stats)).toBe(36 / 14);
  });

  it('remove a rating from count, sum and its bucket', () => {
    expect(removeRating(statsOf([2, 4, 4]), 4)).toEqual({ count: 2, sum: 6, distribution: [0, 1, 0, 1, 0] });
    expect(averageOf(removeRating(statsOf([5]), 5))).toBeNull();
  });

  it('never change the stats they are given', () => {
    const stats = Object.freeze(statsOf([3]));
    Object.freeze(stats.distribution);
    expect(addRating(stats, 1)).toEqual({ count: 2, sum: 4, distribution: [1, 0, 1, 0, 0] });
    expect(removeRating(stats, 3)).toEqual(emptyStats());
    expect(stats).toEqual({ count: 1, sum: 3, distribution: [0, 0, 1, 0, 0] });
  });

  it('refuse to remove a rating that is not counted (inconsistent events are a bug)', () => {
    expect(() => removeRating(statsOf([3]), 2)).toThrow('cannot remove a rating of size 2: none is counted');
  });
});

describe('isFitSize', () => {
  it.each([1, 2, 3, 4, 5])('accepts %p', (n) => expect(isFitSize(n)).toBe(true));
  it.each([0, 6, -1, 3.5, NaN, Infinity, '3', null, undefined, [3]])('rejects %p', (n) =>
    expect(isFitSize(n)).toBe(false),
  );
});

it('an import holds at most 10000 sizes', () => {
  expect(MAX_IMPORT_SIZES).toBe(10000);
});
