import type { FitSize, ShoeEvent } from './shoe.events';
import { currentRatingOf, decisionStateOf, evolve, evolveInPlace, initialShoe, type Shoe } from './shoe';
import { created, fold as given, imported, renamed, retracted, SHOE_ID, submitted } from './shoe-decider.spec-kit';
import { averageOf } from './true-to-size';

function existing(shoe: Shoe) {
  if (shoe.status !== 'existing') throw new Error('expected an existing shoe');
  return shoe;
}

const STOCKX: FitSize[] = [1, 2, 2, 3, 2, 3, 2, 2, 3, 4, 2, 5, 2, 3];

describe('evolve', () => {
  it('starts from an absent shoe', () => {
    expect(initialShoe()).toEqual({ status: 'absent' });
  });

  it('ShoeCreated gives an existing shoe at version 1 with no ratings', () => {
    expect(given(created)).toEqual({
      status: 'existing',
      shoeId: SHOE_ID,
      name: 'Yeezy 350',
      brand: 'Adidas',
      version: 1,
      stats: { count: 0, sum: 0, distribution: [0, 0, 0, 0, 0] },
      ratingsByUser: new Map(),
    });
  });

  it('ShoeRenamed changes the name only', () => {
    const shoe = existing(given(created, renamed('Yeezy Boost 350')));
    expect(shoe).toMatchObject({ name: 'Yeezy Boost 350', brand: 'Adidas', version: 2 });
  });

  it('adds 1 to the version for every event, whatever its kind', () => {
    const events = [created, renamed('A'), submitted('u1', 3), imported(1, 2, 5), submitted('u1', 4, 3), retracted('u1', 4)];
    events.forEach((_, i) => expect(existing(given(...events.slice(0, i + 1))).version).toBe(i + 1));
  });

  it('folds the StockX example ratings to 36 / 14 = 2.5714285714285716', () => {
    const shoe = existing(given(created, ...STOCKX.map((size, i) => submitted(`user-${i}`, size))));
    expect(shoe.stats).toEqual({ count: 14, sum: 36, distribution: [1, 7, 4, 1, 1] });
    expect(averageOf(shoe.stats)).toBe(2.5714285714285716);
    expect(shoe.version).toBe(15);
  });

  it('folds the same ratings imported in one event to the same statistics', () => {
    const shoe = existing(given(created, imported(...STOCKX)));
    expect(shoe.stats).toEqual({ count: 14, sum: 36, distribution: [1, 7, 4, 1, 1] });
    expect(averageOf(shoe.stats)).toBe(2.5714285714285716);
    expect(shoe.version).toBe(2);
  });

  it('a resubmission replaces the rating: the previous size leaves, the new one enters', () => {
    const shoe = existing(given(created, submitted('u1', 2), submitted('u2', 4), submitted('u1', 5, 2)));
    expect(shoe.stats).toEqual({ count: 2, sum: 9, distribution: [0, 0, 0, 1, 1] });
    expect(shoe.ratingsByUser).toEqual(new Map([['u1', 5], ['u2', 4]]));
  });

  it('a retraction removes the rating and the user', () => {
    const shoe = existing(given(created, submitted('u1', 2), submitted('u2', 4), retracted('u1', 2)));
    expect(shoe.stats).toEqual({ count: 1, sum: 4, distribution: [0, 0, 0, 1, 0] });
    expect(shoe.ratingsByUser).toEqual(new Map([['u2', 4]]));
    expect(averageOf(existing(given(created, submitted('u1', 2), retracted('u1', 2))).stats)).toBeNull();
  });

  it('imported ratings count but belong to no user', () => {
    const shoe = existing(given(created, submitted('u1', 3), imported(1, 1, 5)));
    expect(shoe.stats).toEqual({ count: 4, sum: 10, distribution: [2, 0, 1, 0, 1] });
    expect(shoe.ratingsByUser).toEqual(new Map([['u1', 3]]));
  });

  it('keeps user ids that collide with Object.prototype as plain keys', () => {
    const shoe = given(created, submitted('__proto__', 2), submitted('toString', 4));
    expect(currentRatingOf(shoe, '__proto__')).toBe(2);
    expect(currentRatingOf(shoe, 'toString')).toBe(4);
    expect(currentRatingOf(shoe, 'constructor')).toBeNull();
    const after = given(created, submitted('__proto__', 2), retracted('__proto__', 2));
    expect(currentRatingOf(after, '__proto__')).toBeNull();
    expect(existing(after).stats.count).toBe(0);
  });

  it('never changes the state it is given', () => {
    const before = given(created, submitted('u1', 2));
    const snapshot = structuredClone(before);
    evolve(before, submitted('u1', 3, 2));
    evolve(before, retracted('u1', 2));
    evolve(before, imported(5));
    evolve(before, renamed('B'));
    expect(before).toEqual(snapshot);
  });

  describe('refuses a stream that contradicts itself (a bug, never user input)', () => {
    it.each([
      ['a second ShoeCreated', [created, created], `shoe ${SHOE_ID} is created twice in its stream`],
      ['a rename before creation', [renamed('A')], `ShoeRenamed for shoe ${SHOE_ID} before ShoeCreated`],
      ['a rating before creation', [submitted('u1', 3)], `TrueToSizeSubmitted for shoe ${SHOE_ID} before ShoeCreated`],
      ['a retraction before creation', [retracted('u1', 3)], `TrueToSizeRetracted for shoe ${SHOE_ID} before ShoeCreated`],
      ['an import before creation', [imported(3)], `TrueToSizesImported for shoe ${SHOE_ID} before ShoeCreated`],
      ['a previousSize the user does not have', [created, submitted('u1', 3), submitted('u1', 4, 2)], `shoe ${SHOE_ID}: user u1 has rating 3, the event says 2`],
      ['a first rating that claims a previous one', [created, submitted('u1', 4, 2)], `shoe ${SHOE_ID}: user u1 has rating null, the event says 2`],
      ['a retraction of a rating the user does not have', [created, retracted('u1', 3)], `shoe ${SHOE_ID}: user u1 has rating null, the event says 3`],
    ])('%s', (_what, events, message) => {
      expect(() => given(...(events as ShoeEvent[]))).toThrow(message);
    });

    it('an unknown event type', () => {
      const unknown = { type: 'ShoeDeleted', data: { shoeId: SHOE_ID } } as unknown as ShoeEvent;
      expect(() => evolve(given(created), unknown)).toThrow('unknown shoe event type "ShoeDeleted"');
    });
  });
});

describe('evolveInPlace', () => {
  const stream = [created, submitted('u1', 2), submitted('u2', 4), imported(1, 5), renamed('B'), submitted('u1', 5, 2), retracted('u2', 4), submitted('__proto__', 3)];

  it('folds to what evolve folds, changing the state it owns instead of copying it', () => {
    let state = initialShoe();
    const afterCreation = (state = evolveInPlace(state, stream[0]));
    for (const event of stream.slice(1)) expect(evolveInPlace(state, event)).toBe(afterCreation);
    expect(state).toEqual(given(...stream));
    expect(currentRatingOf(state, '__proto__')).toBe(3);
    expect([...existing(state).ratingsByUser.keys()]).toEqual(['u1', '__proto__']);
  });

  it('throws before changing anything', () => {
    const state = given(created, submitted('u1', 2));
    const snapshot = structuredClone(state);
    for (const bad of [submitted('u1', 4, 3), retracted('u2', 2), created, submitted('u2', 1, 1)]) {
      expect(() => evolveInPlace(state, bad)).toThrow();
      expect(state).toEqual(snapshot);
    }
  });
});

describe('decisionStateOf', () => {
  it('is absent for an absent shoe', () => {
    expect(decisionStateOf(initialShoe())).toEqual({ status: 'absent' });
  });

  it('keeps what a command needs and drops the ratings', () => {
    expect(decisionStateOf(given(created, renamed('B'), submitted('u1', 3)))).toEqual({
      status: 'existing',
      shoeId: SHOE_ID,
      name: 'B',
      brand: 'Adidas',
      version: 3,
    });
  });
});

describe('currentRatingOf', () => {
  it('is null for an absent shoe or a user without a rating, else the rating', () => {
    expect(currentRatingOf(initialShoe(), 'u1')).toBeNull();
    expect(currentRatingOf(given(created), 'u1')).toBeNull();
    expect(currentRatingOf(given(created, submitted('u1', 4)), 'u1')).toBe(4);
  });
});
