import type { SubmitTrueToSize } from './shoe.commands';
import type { FitSize, TrueToSizeSubmitted } from './shoe.events';
import type { ShoeDecisionState } from './shoe';
import { InvalidShoeInput } from './shoe.errors';
import { requireExistingShoe } from './shoe.guards';
import { isFitSize } from './true-to-size';

export type SubmitTrueToSizeState = {
  shoe: ShoeDecisionState;
  /** the submitting user's current rating of this shoe, if any */
  currentSize: FitSize | null;
};

/** Resubmitting replaces the user's rating; resubmitting the same value is a no-op (safe to retry). */
export function submitTrueToSize(command: SubmitTrueToSize, state: SubmitTrueToSizeState): TrueToSizeSubmitted[] {
  const { shoeId, userId, size } = command.data;
  if (!isFitSize(size)) throw new InvalidShoeInput('size', 'size must be an integer from 1 to 5');
  requireExistingShoe(state.shoe, shoeId);
  if (size === state.currentSize) return [];
  return [{ type: 'TrueToSizeSubmitted', data: { shoeId, userId, size, previousSize: state.currentSize } }];
}
