import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { submitTrueToSize } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { loadCurrentSize, ShoeCommandRunner } from './shoe-command-runner';

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
  constructor(private readonly runner: ShoeCommandRunner) {}

  execute({ input, userId, now }: SubmitTrueToSizeCommand): Promise<ShoeEntity> {
    const { shoeId, size } = input;
    const command = { type: 'SubmitTrueToSize', data: { shoeId, userId, size }, metadata: { now, userId } } as const;
    return this.runner.run({
      shoeId,
      now,
      decide: async (tx, shoe) => submitTrueToSize(command, { shoe, currentSize: await loadCurrentSize(tx, shoeId, userId) }),
    });
  }
}
