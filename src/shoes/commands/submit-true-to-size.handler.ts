import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { submitTrueToSize } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { RatingGroupCommit } from './rating-group-commit';

export class SubmitTrueToSizeCommand extends Command<ShoeEntity> {
  constructor(
    readonly input: { shoeId: string; size: number },
    readonly userId: string,
    readonly now: Date,
  ) {
    super();
  }
}

@CommandHandler(SubmitTrueToSizeCommand)
export class SubmitTrueToSizeHandler implements ICommandHandler<SubmitTrueToSizeCommand> {
  constructor(private readonly ratings: RatingGroupCommit) {}

  execute({ input, userId, now }: SubmitTrueToSizeCommand): Promise<ShoeEntity> {
    const { shoeId, size } = input;
    const command = { type: 'SubmitTrueToSize', data: { shoeId, userId, size }, metadata: { now, userId } } as const;
    // Ratings are the hot write: they share transactions with concurrent ones (rating-group-commit.ts).
    return this.ratings.run({ shoeId, userId, now, decide: (state) => submitTrueToSize(command, state) });
  }
}
