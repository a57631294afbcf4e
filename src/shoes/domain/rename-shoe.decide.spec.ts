import { renameShoe } from './rename-shoe.decide';
import type { RenameShoe } from './shoe.commands';
import type { ShoeEvent } from './shoe.events';
import { decisionStateOf, evolve, initialShoe } from './shoe';
import { InvalidShoeInput, ShoeNameTaken, ShoeNotFound, StaleShoeVersion } from './shoe.errors';

const SHOE_ID = '0b6f3c52-3f4e-4a55-9a8e-0d4f8c1b2a01';
const OTHER_ID = '7d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6';
const metadata = { now: new Date('2026-11-24T01:02:03.456Z'), userId: 'admin-1' };

const rename = (name: string, expectedVersion: number | null = null): RenameShoe => ({
  type: 'RenameShoe',
  data: { shoeId: SHOE_ID, name, expectedVersion },
  metadata,
});

/** given events -> when command -> then events / then throws (Emmett's DeciderSpecification, in plain Jest). */
const given = (events: ShoeEvent[], nameTakenBy: string | null = null) => ({
  when: (command: RenameShoe) => {
    const shoe = events.reduce(evolve, initialShoe());
    const decide = () => renameShoe(command, { shoe: decisionStateOf(shoe), nameTakenBy });
    return {
      then: (expected: ShoeEvent[]) => {
        const produced = decide();
        expect(produced).toEqual(expected);
        produced.reduce(evolve, shoe); // what is decided must fold
      },
      thenThrows: (type: new (...args: never[]) => Error, fields: object) => {
        expect(decide).toThrow(type);
        expect(decide).toThrow(expect.objectContaining(fields));
      },
    };
  },
});

const created: ShoeEvent = { type: 'ShoeCreated', data: { shoeId: SHOE_ID, name: 'Air Max 90', brand: 'Nike' } };
const renamed = (name: string): ShoeEvent => ({ type: 'ShoeRenamed', data: { shoeId: SHOE_ID, name } });
const rated: ShoeEvent = {
  type: 'TrueToSizeSubmitted',
  data: { shoeId: SHOE_ID, userId: 'u1', size: 3, previousSize: null },
};

describe('renameShoe', () => {
  it('renames a shoe, recording the trimmed name', () => {
    given([created]).when(rename('  Air Max 95 ')).then([renamed('Air Max 95')]);
  });

  it('appends nothing when the name is the one it has (after trimming)', () => {
    given([created]).when(rename('Air Max 90')).then([]);
    given([created]).when(rename('  Air Max 90\t')).then([]);
  });

  it('renames when only the letter case changes, although the shoe holds that key itself', () => {
    given([created], SHOE_ID).when(rename('AIR MAX 90')).then([renamed('AIR MAX 90')]);
  });

  it('rejects a name another shoe holds, naming that shoe', () => {
    given([created], OTHER_ID)
      .when(rename('air force 1'))
      .thenThrows(ShoeNameTaken, { brand: 'Nike', shoeName: 'air force 1', existingShoeId: OTHER_ID });
  });

  it('accepts the current version as expectedVersion', () => {
    given([created, rated]).when(rename('Air Max 95', 2)).then([renamed('Air Max 95')]);
  });

  it('rejects a stale expectedVersion with the current version', () => {
    given([created, rated])
      .when(rename('Air Max 95', 1))
      .thenThrows(StaleShoeVersion, { shoeId: SHOE_ID, expectedVersion: 1, currentVersion: 2 });
  });

  it('rejects a stale expectedVersion also when the rename would change nothing', () => {
    given([created, rated]).when(rename('Air Max 90', 1)).thenThrows(StaleShoeVersion, { currentVersion: 2 });
  });

  it('rejects an expectedVersion ahead of the shoe', () => {
    given([created]).when(rename('Air Max 95', 7)).thenThrows(StaleShoeVersion, { expectedVersion: 7, currentVersion: 1 });
  });

  it.each([0, -1, 1.5, NaN])('rejects the malformed expectedVersion %p', (expectedVersion) => {
    given([created])
      .when(rename('Air Max 95', expectedVersion))
      .thenThrows(InvalidShoeInput, { field: 'expectedVersion', message: 'expectedVersion must be a positive integer' });
  });

  it('rejects a shoe that does not exist', () => {
    given([]).when(rename('Air Max 95')).thenThrows(ShoeNotFound, { shoeId: SHOE_ID });
  });

  it('rejects an empty, white-space-only or 201-character name; 200 is fine', () => {
    const rule = { field: 'name', message: 'name must be 1 to 200 characters after trimming' };
    given([created]).when(rename('')).thenThrows(InvalidShoeInput, rule);
    given([created]).when(rename(' \n ')).thenThrows(InvalidShoeInput, rule);
    given([created]).when(rename('n'.repeat(201))).thenThrows(InvalidShoeInput, rule);
    given([created]).when(rename('n'.repeat(200))).then([renamed('n'.repeat(200))]);
  });

  it('rejects a name with a line break', () => {
    given([created])
      .when(rename('Air\nMax'))
      .thenThrows(InvalidShoeInput, { field: 'name', message: 'name must not contain control characters or line breaks' });
  });

  it('checks the input before existence, and existence before the version', () => {
    given([]).when(rename('')).thenThrows(InvalidShoeInput, { field: 'name' });
    given([]).when(rename('Air Max 95', 5)).thenThrows(ShoeNotFound, { shoeId: SHOE_ID });
  });
});
