import type { RenameShoe } from './shoe.commands';
import type { ShoeRenamed } from './shoe.events';
import type { ShoeDecisionState } from './shoe';
import { InvalidShoeInput, ShoeNameTaken } from './shoe.errors';
import { requireExistingShoe, requireExpectedVersion } from './shoe.guards';
import { normalizeShoeName } from './shoe-name';

export type RenameShoeState = {
  shoe: ShoeDecisionState;
  /** id of the shoe holding `shoeNameKey(shoe.brand, newName)`, if any (may be this very shoe) */
  nameTakenBy: string | null;
};

/**
 * Order: input, existence, expected version, no-op, uniqueness.
 * A change of letter case only keeps the uniqueness key, which this shoe already holds: that is a rename.
 */
export function renameShoe(command: RenameShoe, state: RenameShoeState): ShoeRenamed[] {
  const { shoeId, expectedVersion } = command.data;
  const name = normalizeShoeName(command.data.name);
  checkExpectedVersionInput(expectedVersion);
  const shoe = requireExistingShoe(state.shoe, shoeId);
  requireExpectedVersion(shoe, expectedVersion);
  if (name === shoe.name) return [];
  if (state.nameTakenBy !== null && state.nameTakenBy !== shoe.shoeId) {
    throw new ShoeNameTaken(shoe.brand, name, state.nameTakenBy);
  }
  return [{ type: 'ShoeRenamed', data: { shoeId, name } }];
}

/** A version is a positive integer; anything else is malformed input, not a stale version. */
function checkExpectedVersionInput(expectedVersion: number | null): void {
  if (expectedVersion !== null && !(Number.isInteger(expectedVersion) && expectedVersion >= 1)) {
    throw new InvalidShoeInput('expectedVersion', 'expectedVersion must be a positive integer');
  }
}
