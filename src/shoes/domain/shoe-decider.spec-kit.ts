/**
 * Test helper for the domain specs (not a suite itself, and excluded from the build):
 * given events -> when command -> then events / then throws (Emmett's DeciderSpecification, in plain Jest),
 * plus the event and command builders the specs share.
 */
import type { CreateShoe, ImportTrueToSizes, RenameShoe, RetractTrueToSize, SubmitTrueToSize } from './shoe.commands';
import type { FitSize, ShoeEvent } from './shoe.events';
import { evolve, initialShoe, type Shoe } from './shoe';

export const SHOE_ID = '0b6f3c52-3f4e-4a55-9a8e-0d4f8c1b2a01';
export const OTHER_ID = '7d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6';

/** The full fold of a stream, from an absent shoe. */
export const fold = (...events: ShoeEvent[]): Shoe => events.reduce(evolve, initialShoe());

/**
 * `decide` is one command's decide function; `stateOf` builds the state it takes from the folded `given` events
 * (what the handler would load from its tables).
 * `then` checks the produced events, that they fold, and returns the shoe they fold to.
 */
export function deciderSpec<C, S>(decide: (command: C, state: S) => ShoeEvent[], stateOf: (shoe: Shoe, command: C) => S) {
  return {
    given: (...events: ShoeEvent[]) => ({
      when: (command: C) => {
        const shoe = fold(...events);
        const decided = () => decide(command, stateOf(shoe, command));
        return {
          then: (expected: ShoeEvent[]): Shoe => {
            const produced = decided();
            expect(produced).toEqual(expected);
            return produced.reduce(evolve, shoe); // what is decided must fold
          },
          thenThrows: (type: new (...args: never[]) => Error, fields: object): void => {
            expect(decided).toThrow(type);
            expect(decided).toThrow(expect.objectContaining(fields));
          },
        };
      },
    }),
  };
}

// Events of the shoe SHOE_ID.

export const shoeCreated = (name: string, brand: string | null): ShoeEvent => ({
  type: 'ShoeCreated',
  data: { shoeId: SHOE_ID, name, brand },
});
export const created: ShoeEvent = shoeCreated('Yeezy 350', 'Adidas');
export const renamed = (name: string): ShoeEvent => ({ type: 'ShoeRenamed', data: { shoeId: SHOE_ID, name } });
export const submitted = (userId: string, size: FitSize, previousSize: FitSize | null = null): ShoeEvent => ({
  type: 'TrueToSizeSubmitted',
  data: { shoeId: SHOE_ID, userId, size, previousSize },
});
export const retracted = (userId: string, retractedSize: FitSize): ShoeEvent => ({
  type: 'TrueToSizeRetracted',
  data: { shoeId: SHOE_ID, userId, retractedSize },
});
export const imported = (...sizes: FitSize[]): ShoeEvent => ({ type: 'TrueToSizesImported', data: { shoeId: SHOE_ID, sizes } });

// Commands on the shoe SHOE_ID; admin commands come from 'admin-1', ratings from the rating user.

const metadata = (userId: string) => ({ now: new Date('2026-11-24T01:02:03.456Z'), userId });

export const create = (name: string, brand: string | null = 'Nike'): CreateShoe => ({
  type: 'CreateShoe',
  data: { shoeId: SHOE_ID, name, brand },
  metadata: metadata('admin-1'),
});
export const rename = (name: string, expectedVersion: number | null = null): RenameShoe => ({
  type: 'RenameShoe',
  data: { shoeId: SHOE_ID, name, expectedVersion },
  metadata: metadata('admin-1'),
});
export const submit = (userId: string, size: number): SubmitTrueToSize => ({
  type: 'SubmitTrueToSize',
  data: { shoeId: SHOE_ID, userId, size },
  metadata: metadata(userId),
});
export const retract = (userId: string): RetractTrueToSize => ({
  type: 'RetractTrueToSize',
  data: { shoeId: SHOE_ID, userId },
  metadata: metadata(userId),
});
export const importSizes = (sizes: number[]): ImportTrueToSizes => ({
  type: 'ImportTrueToSizes',
  data: { shoeId: SHOE_ID, sizes },
  metadata: metadata('admin-1'),
});
