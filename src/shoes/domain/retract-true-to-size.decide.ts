import type { RetractTrueToSize } from './shoe.commands';
import type { FitSize, TrueToSizeRetracted } from './shoe.events';
import type { ShoeDecisionState } from './shoe';
import { requireExistingShoe } from './shoe.guards';

export type RetractTrueToSizeState = {
  shoe: ShoeDecisionState;
  /** the retracting user's current rating of this shoe, if any */
  currentSize: FitSize | null;
};

/** Retracting without a current rating is a no-op, so a retried retract is harmless. */
export function retractTrueToSize(command: RetractTrueToSize, state: RetractTrueToSizeState): TrueToSizeRetracted[] {
  const { shoeId, userId } = command.data;
  requireExistingShoe(state.shoe, shoeId);
  if (state.currentSize === null) return [];
  return [{ type: 'TrueToSizeRetracted', data: { shoeId, userId, retractedSize: state.currentSize } }];
}
