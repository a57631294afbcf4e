import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { retractTrueToSize } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { RatingGroupCommit } from './rating-group-commit';

export class RetractTrueToSizeCommand extends Command<ShoeEntity> {
  constructor(
    readonly input: { shoeId: string },
    readonly userId: string,
    readonly now: Date,
  ) {
    super();
  }
}

@CommandHandler(RetractTrueToSizeCommand)
export class RetractTrueToSizeHandler implements ICommandHandler<RetractTrueToSizeCommand> {
  constructor(private readonly ratings: RatingGroupCommit) {}

  execute({ input, userId, now }: RetractTrueToSizeCommand): Promise<ShoeEntity> {
    const { shoeId } = input;
    const command = { type: 'RetractTrueToSize', data: { shoeId, userId }, metadata: { now, userId } } as const;
    // Ratings are the hot write: they share transactions with concurrent ones (rating-group-commit.ts).
    return this.ratings.run({ shoeId, userId, now, decide: (state) => retractTrueToSize(command, state) });
  }
}
