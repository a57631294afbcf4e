import { retractTrueToSize } from './retract-true-to-size.decide';
import type { RetractTrueToSize } from './shoe.commands';
import type { FitSize, ShoeEvent } from './shoe.events';
import { currentRatingOf, decisionStateOf, evolve, initialShoe } from './shoe';
import { ShoeNotFound } from './shoe.errors';

const SHOE_ID = '0b6f3c52-3f4e-4a55-9a8e-0d4f8c1b2a01';

const retract = (userId: string): RetractTrueToSize => ({
  type: 'RetractTrueToSize',
  data: { shoeId: SHOE_ID, userId },
  metadata: { now: new Date('2026-11-24T01:02:03.456Z'), userId },
});

/** given events -> when command -> then events / then throws (Emmett's DeciderSpecification, in plain Jest). */
const given = (...events: ShoeEvent[]) => ({
  when: (command: RetractTrueToSize) => {
    const shoe = events.reduce(evolve, initialShoe());
    const state = { shoe: decisionStateOf(shoe), currentSize: currentRatingOf(shoe, command.data.userId) };
    const decide = () => retractTrueToSize(command, state);
    return {
      then: (expected: ShoeEvent[]) => {
        const produced = decide();
        expect(produced).toEqual(expected);
        return produced.reduce(evolve, shoe); // what is decided must fold
      },
      thenThrows: (type: new (...args: never[]) => Error, fields: object) => {
        expect(decide).toThrow(type);
        expect(decide).toThrow(expect.objectContaining(fields));
      },
    };
  },
});

const created: ShoeEvent = { type: 'ShoeCreated', data: { shoeId: SHOE_ID, name: 'Yeezy 350', brand: 'Adidas' } };
const submitted = (userId: string, size: FitSize, previousSize: FitSize | null = null): ShoeEvent => ({
  type: 'TrueToSizeSubmitted',
  data: { shoeId: SHOE_ID, userId, size, previousSize },
});
const retracted = (userId: string, retractedSize: FitSize): ShoeEvent => ({
  type: 'TrueToSizeRetracted',
  data: { shoeId: SHOE_ID, userId, retractedSize },
});
const imported = (...sizes: FitSize[]): ShoeEvent => ({ type: 'TrueToSizesImported', data: { shoeId: SHOE_ID, sizes } });

describe('retractTrueToSize', () => {
  it('retracts the current rating, which leaves the statistics', () => {
    const shoe = given(created, submitted('u1', 2), submitted('u2', 4))
      .when(retract('u1'))
      .then([retracted('u1', 2)]);
    expect(shoe).toMatchObject({ stats: { count: 1, sum: 4, distribution: [0, 0, 0, 1, 0] }, ratingsByUser: { u2: 4 } });
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
