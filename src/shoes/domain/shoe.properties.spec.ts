import fc from 'fast-check';
import type { ShoeCommand } from './shoe.commands';
import type { FitSize, ShoeEvent } from './shoe.events';
import { currentRatingOf, decisionStateOf, evolve, initialShoe, type Shoe } from './shoe';
import { ShoeDomainError } from './shoe.errors';
import { shoeNameKey } from './shoe-name';
import { createShoe } from './create-shoe.decide';
import { renameShoe } from './rename-shoe.decide';
import { submitTrueToSize } from './submit-true-to-size.decide';
import { retractTrueToSize } from './retract-true-to-size.decide';
import { importTrueToSizes } from './import-true-to-sizes.decide';
import { SHOE_ID } from './shoe-decider.spec-kit';

/**
 * Properties of the whole decider, over any sequence of commands (valid or not): what the handler does, with the
 * state it would load taken from the fold of the events decided so far. Seeded, so a failure is reproducible: the
 * seed and the shrunk command list are printed by fast-check. Bounded (numRuns) to stay well under a second.
 */
const SEED = 9_2026;
const users = ['u1', 'u2', 'u3', '__proto__', 'toString'];
const metadata = { now: new Date('2026-12-05T00:00:00Z'), userId: 'admin-1' };
const anySize = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: -2, max: 8 }), fc.constantFrom(2.5, NaN, Infinity));

const command: fc.Arbitrary<ShoeCommand> = fc.oneof(
  fc.record({ name: fc.constantFrom('Pegasus', 'pegasus', ' Vomero ', '', 'x'.repeat(300)), brand: fc.constantFrom('Nike', null) }).map(
    ({ name, brand }): ShoeCommand => ({ type: 'CreateShoe', data: { shoeId: SHOE_ID, name, brand }, metadata }),
  ),
  fc.record({ name: fc.constantFrom('Pegasus', 'Vomero', 'VOMERO', ' '), expectedVersion: fc.option(fc.integer({ min: -1, max: 12 })) }).map(
    ({ name, expectedVersion }): ShoeCommand => ({ type: 'RenameShoe', data: { shoeId: SHOE_ID, name, expectedVersion }, metadata }),
  ),
  {
    weight: 4, // ratings are most of the traffic, and where the count/sum/distribution rules live
    arbitrary: fc
      .record({ userId: fc.constantFrom(...users), size: anySize })
      .map(({ userId, size }): ShoeCommand => ({ type: 'SubmitTrueToSize', data: { shoeId: SHOE_ID, userId, size }, metadata: { ...metadata, userId } })),
  },
  fc.constantFrom(...users).map((userId): ShoeCommand => ({ type: 'RetractTrueToSize', data: { shoeId: SHOE_ID, userId }, metadata: { ...metadata, userId } })),
  fc.array(anySize, { minLength: 0, maxLength: 6 }).map((sizes): ShoeCommand => ({ type: 'ImportTrueToSizes', data: { shoeId: SHOE_ID, sizes }, metadata })),
);

/** One command as the handler runs it: decide against the loaded state, append what was decided. */
function decide(shoe: Shoe, c: ShoeCommand): ShoeEvent[] {
  const state = decisionStateOf(shoe);
  const nameTakenBy = (brand: string | null, name: string) =>
    shoe.status === 'existing' && shoeNameKey(shoe.brand, shoe.name) === safeKey(brand, name) ? shoe.shoeId : null;
  switch (c.type) {
    case 'CreateShoe':
      return createShoe(c, { shoe: state, nameTakenBy: null });
    case 'RenameShoe':
      return renameShoe(c, { shoe: state, nameTakenBy: shoe.status === 'existing' ? nameTakenBy(shoe.brand, c.data.name) : null });
    case 'SubmitTrueToSize':
      return submitTrueToSize(c, { shoe: state, currentSize: currentRatingOf(shoe, c.data.userId) });
    case 'RetractTrueToSize':
      return retractTrueToSize(c, { shoe: state, currentSize: currentRatingOf(shoe, c.data.userId) });
    case 'ImportTrueToSizes':
      return importTrueToSizes(c, { shoe: state });
  }
}

function safeKey(brand: string | null, name: string): string | null {
  try {
    return shoeNameKey(brand, name);
  } catch {
    return null;
  }
}

/** The reference model: what the stats must be, from the users' current ratings and every imported size. */
type Model = { ratings: Map<string, FitSize>; imported: FitSize[]; events: number };

function step(model: Model, shoe: Shoe, c: ShoeCommand): { shoe: Shoe; model: Model } {
  let events: ShoeEvent[];
  try {
    events = decide(shoe, c);
  } catch (error) {
    expect(error).toBeInstanceOf(ShoeDomainError); // a refusal is a domain error, never a crash
    return { shoe, model };
  }
  const ratings = new Map(model.ratings);
  const imported = [...model.imported];
  for (const e of events) {
    if (e.type === 'TrueToSizeSubmitted') {
      expect(e.data.previousSize).toBe(ratings.get(e.data.userId) ?? null);
      ratings.set(e.data.userId, e.data.size);
    }
    if (e.type === 'TrueToSizeRetracted') {
      expect(e.data.retractedSize).toBe(ratings.get(e.data.userId));
      ratings.delete(e.data.userId);
    }
    if (e.type === 'TrueToSizesImported') imported.push(...e.data.sizes);
  }
  return { shoe: events.reduce(evolve, shoe), model: { ratings, imported, events: model.events + events.length } };
}

function expectConsistent(shoe: Shoe, model: Model): void {
  if (shoe.status !== 'existing') {
    expect(model.events).toBe(0);
    return;
  }
  expect(shoe.version).toBe(model.events); // one version per event, no gaps
  const { count, sum, distribution } = shoe.stats;
  expect(count).toBe(distribution.reduce((a, b) => a + b, 0));
  expect(sum).toBe(distribution.reduce((a, n, i) => a + n * (i + 1), 0));
  const expected = [0, 0, 0, 0, 0];
  for (const size of [...model.ratings.values(), ...model.imported]) expected[size - 1]++;
  expect(distribution).toEqual(expected);
  expect([...shoe.ratingsByUser.entries()].sort()).toEqual([...model.ratings.entries()].sort()); // one current rating per user
}

describe('shoe decider, any sequence of commands', () => {
  it('keeps count/sum = distribution = current ratings + imports, one version per event, refusals as domain errors', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        let shoe = initialShoe();
        let model: Model = { ratings: new Map(), imported: [], events: 0 };
        for (const c of commands) {
          ({ shoe, model } = step(model, shoe, c));
          expectConsistent(shoe, model);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('makes retried commands no-ops: the same submit or retract twice appends nothing the second time', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 20 }), fc.constantFrom(...users), fc.integer({ min: 1, max: 5 }), (commands, userId, size) => {
        let shoe = initialShoe();
        let model: Model = { ratings: new Map(), imported: [], events: 0 };
        const create: ShoeCommand = { type: 'CreateShoe', data: { shoeId: SHOE_ID, name: 'Pegasus', brand: 'Nike' }, metadata };
        for (const c of [create, ...commands]) ({ shoe, model } = step(model, shoe, c));
        const submit: ShoeCommand = { type: 'SubmitTrueToSize', data: { shoeId: SHOE_ID, userId, size }, metadata: { ...metadata, userId } };
        shoe = decide(shoe, submit).reduce(evolve, shoe);
        expect(decide(shoe, submit)).toEqual([]);
        const retract: ShoeCommand = { type: 'RetractTrueToSize', data: { shoeId: SHOE_ID, userId }, metadata: { ...metadata, userId } };
        shoe = decide(shoe, retract).reduce(evolve, shoe);
        expect(currentRatingOf(shoe, userId)).toBeNull();
        expect(decide(shoe, retract)).toEqual([]);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
