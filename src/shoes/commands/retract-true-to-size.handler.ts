import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { retractTrueToSize } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { loadCurrentSize, ShoeCommandRunner } from './shoe-command-runner';

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
  constructor(private readonly runner: ShoeCommandRunner) {}

  execute({ input, userId, now }: RetractTrueToSizeCommand): Promise<ShoeEntity> {
    const { shoeId } = input;
    const command = { type: 'RetractTrueToSize', data: { shoeId, userId }, metadata: { now, userId } } as const;
    return this.runner.run({
      shoeId,
      now,
      decide: async (tx, shoe) => retractTrueToSize(command, { shoe, currentSize: await loadCurrentSize(tx, shoeId, userId) }),
    });
  }
}
