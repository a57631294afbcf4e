import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { normalizeShoeName, renameShoe, shoeNameKey } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { loadNameOwner, ShoeCommandRunner } from './shoe-command-runner';

export class RenameShoeCommand extends Command<ShoeEntity> {
  constructor(
    readonly input: { shoeId: string; name: string; expectedVersion: number | null },
    readonly userId: string,
    readonly now: Date,
  ) {
    super();
  }
}

@CommandHandler(RenameShoeCommand)
export class RenameShoeHandler implements ICommandHandler<RenameShoeCommand> {
  constructor(private readonly runner: ShoeCommandRunner) {}

  execute({ input, userId, now }: RenameShoeCommand): Promise<ShoeEntity> {
    const { shoeId, name, expectedVersion } = input;
    const command = { type: 'RenameShoe', data: { shoeId, name, expectedVersion }, metadata: { now, userId } } as const;
    normalizeShoeName(name); // fail fast on a bad name, before taking any lock
    return this.runner.run({
      shoeId,
      now,
      decide: async (tx, shoe) => {
        // The uniqueness key needs the shoe's brand, known only once the shoe is loaded under its lock.
        const nameKey = shoeNameKey(shoe.status === 'existing' ? shoe.brand : null, normalizeShoeName(name));
        await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`shoe-name:${nameKey}`]);
        return renameShoe(command, { shoe, nameTakenBy: await loadNameOwner(tx, nameKey) });
      },
    });
  }
}
