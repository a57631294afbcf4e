import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { importTrueToSizes } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { checkIdempotencyKey } from './idempotency-key';
import { ShoeCommandRunner } from './shoe-command-runner';

export class ImportTrueToSizesCommand extends Command<ShoeEntity> {
  constructor(
    readonly input: { shoeId: string; sizes: number[]; idempotencyKey: string | null },
    readonly userId: string,
    readonly now: Date,
  ) {
    super();
  }
}

@CommandHandler(ImportTrueToSizesCommand)
export class ImportTrueToSizesHandler implements ICommandHandler<ImportTrueToSizesCommand> {
  constructor(private readonly runner: ShoeCommandRunner) {}

  execute({ input, userId, now }: ImportTrueToSizesCommand): Promise<ShoeEntity> {
    const { shoeId, sizes } = input;
    const idempotencyKey = checkIdempotencyKey(input.idempotencyKey); // before any lock or query
    const command = { type: 'ImportTrueToSizes', data: { shoeId, sizes }, metadata: { now, userId } } as const;
    return this.runner.run({
      shoeId,
      now,
      idempotency: idempotencyKey ? { userId, mutation: 'importTrueToSizes', key: idempotencyKey, input: { shoeId, sizes } } : undefined,
      decide: async (_tx, shoe) => importTrueToSizes(command, { shoe }),
    });
  }
}
