import type { ImportTrueToSizes } from './shoe.commands';
import type { FitSize, TrueToSizesImported } from './shoe.events';
import type { ShoeDecisionState } from './shoe';
import { InvalidShoeInput } from './shoe.errors';
import { requireExistingShoe } from './shoe.guards';
import { isFitSize, MAX_IMPORT_SIZES } from './true-to-size';

export type ImportTrueToSizesState = { shoe: ShoeDecisionState };

/** Anonymous historic ratings: 1..10000 sizes, each 1..5; one event whatever the count. */
export function importTrueToSizes(command: ImportTrueToSizes, state: ImportTrueToSizesState): TrueToSizesImported[] {
  const { shoeId } = command.data;
  const sizes = validSizes(command.data.sizes);
  requireExistingShoe(state.shoe, shoeId);
  return [{ type: 'TrueToSizesImported', data: { shoeId, sizes } }];
}

/** Returns a copy, so the event never shares an array with the caller's command. */
function validSizes(sizes: readonly unknown[]): FitSize[] {
  if (!Array.isArray(sizes) || sizes.length < 1 || sizes.length > MAX_IMPORT_SIZES) {
    throw new InvalidShoeInput('sizes', `sizes must hold 1 to ${MAX_IMPORT_SIZES} items`);
  }
  // Array.from visits holes of a sparse array as undefined, so they are rejected too.
  const copy: unknown[] = Array.from(sizes);
  const bad = copy.findIndex((size) => !isFitSize(size));
  if (bad !== -1) throw new InvalidShoeInput('sizes', `sizes[${bad}] must be an integer from 1 to 5`);
  return copy as FitSize[];
}
