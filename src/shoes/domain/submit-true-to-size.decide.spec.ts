import type { FitSize, ShoeEvent } from './shoe.events';
import { currentRatingOf, decisionStateOf } from './shoe';
import { created, deciderSpec, fold, imported, retracted, SHOE_ID, submit, submitted } from './shoe-decider.spec-kit';
import { InvalidShoeInput, ShoeNotFound } from './shoe.errors';
import { submitTrueToSize } from './submit-true-to-size.decide';
import { averageOf } from './true-to-size';

const { given } = deciderSpec(submitTrueToSize, (shoe, command) => ({
  shoe: decisionStateOf(shoe),
  currentSize: currentRatingOf(shoe, command.data.userId),
}));

describe('submitTrueToSize', () => {
  it.each([1, 2, 3, 4, 5] as FitSize[])('records a first rating of %p with no previous size', (size) => {
    given(created).when(submit('u1', size)).then([submitted('u1', size, null)]);
  });

  it('replaces a different current rating: the old size leaves the statistics, the new one enters', () => {
    const shoe = given(created, submitted('u1', 2), submitted('u2', 4))
      .when(submit('u1', 5))
      .then([submitted('u1', 5, 2)]);
    expect(shoe).toMatchObject({ stats: { count: 2, sum: 9, distribution: [0, 0, 0, 1, 1] }, ratingsByUser: new Map([['u1', 5], ['u2', 4]]) });
  });

  it('appends nothing when the user resubmits the same value', () => {
    given(created, submitted('u1', 3)).when(submit('u1', 3)).then([]);
    given(created, submitted('u1', 2), submitted('u1', 3, 2)).when(submit('u1', 3)).then([]);
  });

  it('treats a rating after a retraction as a first rating', () => {
    given(created, submitted('u1', 3), retracted('u1', 3)).when(submit('u1', 3)).then([submitted('u1', 3, null)]);
  });

  it('keeps users apart: another user submitting the same value is a new rating', () => {
    given(created, submitted('u1', 3)).when(submit('u2', 3)).then([submitted('u2', 3, null)]);
  });

  it('imported ratings are nobody\'s: they never count as the user\'s current rating', () => {
    const shoe = given(created, imported(3, 3)).when(submit('u1', 3)).then([submitted('u1', 3, null)]);
    expect(shoe).toMatchObject({ stats: { count: 3, sum: 9 } });
  });

  it('folds the StockX example to 36 / 14 = 2.5714285714285716', () => {
    const ratings: FitSize[] = [1, 2, 2, 3, 2, 3, 2, 2, 3, 4, 2, 5, 2, 3];
    let history: ShoeEvent[] = [created];
    ratings.forEach((size, i) => {
      const command = submit(`user-${i}`, size);
      const shoe = fold(...history);
      history = [...history, ...submitTrueToSize(command, { shoe: decisionStateOf(shoe), currentSize: null })];
    });
    const shoe = fold(...history);
    if (shoe.status !== 'existing') throw new Error('expected an existing shoe');
    expect(shoe.stats.count).toBe(14);
    expect(shoe.stats.distribution).toEqual([1, 7, 4, 1, 1]);
    expect(averageOf(shoe.stats)).toBe(2.5714285714285716);
  });

  it.each([0, 6, -1, 3.5, NaN, Infinity])('rejects the size %p', (size) => {
    given(created)
      .when(submit('u1', size))
      .thenThrows(InvalidShoeInput, { field: 'size', message: 'size must be an integer from 1 to 5' });
  });

  it('rejects a shoe that does not exist', () => {
    given().when(submit('u1', 3)).thenThrows(ShoeNotFound, { shoeId: SHOE_ID });
  });

  it('checks the size before the shoe exists', () => {
    given().when(submit('u1', 0)).thenThrows(InvalidShoeInput, { field: 'size' });
  });
});
