import { renameShoe } from './rename-shoe.decide';
import type { ShoeEvent } from './shoe.events';
import { decisionStateOf } from './shoe';
import { deciderSpec, OTHER_ID, rename, renamed, SHOE_ID, shoeCreated, submitted } from './shoe-decider.spec-kit';
import { InvalidShoeInput, ShoeNameTaken, ShoeNotFound, StaleShoeVersion } from './shoe.errors';

/** `nameTakenBy`: the shoe holding the (brand, new name) key, if any (may be this very shoe). */
const given = (events: ShoeEvent[], nameTakenBy: string | null = null) =>
  deciderSpec(renameShoe, (shoe) => ({ shoe: decisionStateOf(shoe), nameTakenBy })).given(...events);

const created = shoeCreated('Air Max 90', 'Nike');
const rated = submitted('u1', 3);

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
