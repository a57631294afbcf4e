import type { CreateShoe } from './shoe.commands';
import type { ShoeCreated } from './shoe.events';
import type { ShoeDecisionState } from './shoe';
import { ShoeAlreadyExists, ShoeNameTaken } from './shoe.errors';
import { normalizeBrand, normalizeShoeName } from './shoe-name';

export type CreateShoeState = {
  shoe: ShoeDecisionState;
  /** id of the shoe holding `shoeNameKey(brand, name)` of the command's input, if any */
  nameTakenBy: string | null;
};

/** Input first (BAD_USER_INPUT), then conflicts; the event carries the trimmed values. */
export function createShoe(command: CreateShoe, state: CreateShoeState): [ShoeCreated] {
  const { shoeId } = command.data;
  const name = normalizeShoeName(command.data.name);
  const brand = normalizeBrand(command.data.brand);
  if (state.shoe.status !== 'absent') throw new ShoeAlreadyExists(shoeId);
  if (state.nameTakenBy !== null) throw new ShoeNameTaken(brand, name, state.nameTakenBy);
  return [{ type: 'ShoeCreated', data: { shoeId, name, brand } }];
}
