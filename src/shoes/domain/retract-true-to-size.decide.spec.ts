import { retractTrueToSize } from './retract-true-to-size.decide';
import { currentRatingOf, decisionStateOf } from './shoe';
import { created, deciderSpec, imported, retract, retracted, SHOE_ID, submitted } from './shoe-decider.spec-kit';
import { ShoeNotFound } from './shoe.errors';

const { given } = deciderSpec(retractTrueToSize, (shoe, command) => ({
  shoe: decisionStateOf(shoe),
  currentSize: currentRatingOf(shoe, command.data.userId),
}));

describe('retractTrueToSize', () => {
  it('retracts the current rating, which leaves the statistics', () => {
    const shoe = given(created, submitted('u1', 2), submitted('u2', 4))
      .when(retract('u1'))
      .then([retracted('u1', 2)]);
    expect(shoe).toMatchObject({ stats: { count: 1, sum: 4, distribution: [0, 0, 0, 1, 0] }, ratingsByUser: new Map([['u2', 4]]) });
  });

  it('retracts the replacing rating, not the replaced one', () => {
    given(created, submitted('u1', 2), submitted('u1', 5, 2)).when(retract('u1')).then([retracted('u1', 5)]);
  });

  it('appends nothing when the user has no current rating', () => {
    given(created).when(retract('u1')).then([]);
    given(created, submitted('u2', 3)).when(retract('u1')).then([]);
  });

  it('appends nothing when retracting twice', () => {
    given(created, submitted('u1', 3), retracted('u1', 3)).when(retract('u1')).then([]);
  });

  it('cannot retract imported ratings: they belong to no user', () => {
    given(created, imported(1, 2, 3)).when(retract('u1')).then([]);
  });

  it('rejects a shoe that does not exist', () => {
    given().when(retract('u1')).thenThrows(ShoeNotFound, { shoeId: SHOE_ID });
  });
});
