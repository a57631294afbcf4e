import { createShoe } from './create-shoe.decide';
import { importTrueToSizes } from './import-true-to-sizes.decide';
import { renameShoe } from './rename-shoe.decide';
import { retractTrueToSize } from './retract-true-to-size.decide';
import type { ShoeDecisionState } from './shoe';
import type { ShoeCommand } from './shoe.commands';
import type { FitSize, ShoeEvent } from './shoe.events';
import { submitTrueToSize } from './submit-true-to-size.decide';

/**
 * Everything any shoe command decides on; each command reads only its part (the write path loads only that part,
 * as the command's plan declares, and leaves the rest null).
 */
export type ShoeCommandState = {
  shoe: ShoeDecisionState;
  /** CreateShoe, RenameShoe: id of the shoe holding the (brand, name) key the command asks for, if any. */
  nameTakenBy: string | null;
  /** SubmitTrueToSize, RetractTrueToSize: the user's current rating of the shoe, if any. */
  currentSize: FitSize | null;
};

/**
 * The one decide of the shoe aggregate: pure, `(command, state) => events`. Throws a domain error to reject the
 * command; [] is a no-op. The write path calls only this, whichever the command.
 */
export function decide(command: ShoeCommand, state: ShoeCommandState): ShoeEvent[] {
  switch (command.type) {
    case 'CreateShoe':
      return createShoe(command, state);
    case 'RenameShoe':
      return renameShoe(command, state);
    case 'SubmitTrueToSize':
      return submitTrueToSize(command, state);
    case 'RetractTrueToSize':
      return retractTrueToSize(command, state);
    case 'ImportTrueToSizes':
      return importTrueToSizes(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown shoe command type ${JSON.stringify((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}
