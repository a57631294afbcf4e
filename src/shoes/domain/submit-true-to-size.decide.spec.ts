import type { SubmitTrueToSize } from './shoe.commands';
import type { FitSize, ShoeEvent } from './shoe.events';
import { currentRatingOf, decisionStateOf, evolve, initialShoe } from './shoe';
import { InvalidShoeInput, ShoeNotFound } from './shoe.errors';
import { submitTrueToSize } from './submit-true-to-size.decide';
import { averageOf } from './true-to-size';

const SHOE_ID = '0b6f3c52-3f4e-4a55-9a8e-0d4f8c1b2a01';

const submit = (userId: string, size: number): SubmitTrueToSize => ({
  type: 'SubmitTrueToSize',
  data: { shoeId: SHOE_ID, userId, size },
  metadata: { now: new Date('2026-11-24T01:02:03.456Z'), userId },
});

/** given events -> when command -> then events / then throws (Emmett's DeciderSpecification, in plain Jest). */
const given = (...events: ShoeEvent[]) => ({
  when: (command: SubmitTrueToSize) => {
    const shoe = events.reduce(evolve, initialShoe());
    const state = { shoe: decisionStateOf(shoe), currentSize: currentRatingOf(shoe, command.data.userId) };
    const decide = () => submitTrueToSize(command, state);
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

describe('submitTrueToSize', () => {
  it.each([1, 2, 3, 4, 5] as FitSize[])('records a first rating of %p with no previous size', (size) => {
    given(created).when(submit('u1', size)).then([submitted('u1', size, null)]);
  });

  it('replaces a different current rating: the old size leaves the statistics, the new one enters', () => {
    const shoe = given(created, submitted('u1', 2), submitted('u2', 4))
      .when(submit('u1', 5))
      .then([submitted('u1', 5, 2)]);
    expect(shoe).toMatchObject({ stats: { count: 2, sum: 9, distribution: [0, 0, 0, 1, 1] }, ratingsByUser: { u1: 5, u2: 4 } });
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
      const shoe = history.reduce(evolve, initialShoe());
      history = [...history, ...submitTrueToSize(command, { shoe: decisionStateOf(shoe), currentSize: null })];
    });
    const shoe = history.reduce(evolve, initialShoe());
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
