import type { ShoeDecisionState } from './shoe';
import { ShoeNotFound, StaleShoeVersion } from './shoe.errors';

export type ExistingShoeDecisionState = Extract<ShoeDecisionState, { status: 'existing' }>;

/** Narrows to an existing shoe, or rejects the command with NOT_FOUND. */
export function requireExistingShoe(shoe: ShoeDecisionState, shoeId: string): ExistingShoeDecisionState {
  switch (shoe.status) {
    case 'absent':
      throw new ShoeNotFound(shoeId);
    case 'existing':
      return shoe;
    default: {
      const _exhaustive: never = shoe;
      return _exhaustive;
    }
  }
}

/** Optimistic concurrency asked for by the client: `null` means "whatever the current version is". */
export function requireExpectedVersion(shoe: ExistingShoeDecisionState, expectedVersion: number | null): void {
  if (expectedVersion !== null && expectedVersion !== shoe.version) {
    throw new StaleShoeVersion(shoe.shoeId, expectedVersion, shoe.version);
  }
}
