import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { createShoe, normalizeBrand, normalizeShoeName, shoeNameKey } from '../domain';
import type { ShoeEntity } from '../projections/shoe.entity';
import { checkIdempotencyKey } from './idempotency-key';
import { loadNameOwner, ShoeCommandRunner } from './shoe-command-runner';

export class CreateShoeCommand extends Command<ShoeEntity> {
  constructor(
    readonly input: { name: string; brand: string | null; idempotencyKey: string | null },
    readonly userId: string,
    readonly shoeId: string,
    readonly now: Date,
  ) {
    super();
  }
}

@CommandHandler(CreateShoeCommand)
export class CreateShoeHandler implements ICommandHandler<CreateShoeCommand> {
  constructor(private readonly runner: ShoeCommandRunner) {}

  execute({ input, userId, shoeId, now }: CreateShoeCommand): Promise<ShoeEntity> {
    const { name, brand } = input;
    const idempotencyKey = checkIdempotencyKey(input.idempotencyKey); // before any lock or query
    const nameKey = shoeNameKey(normalizeBrand(brand), normalizeShoeName(name));
    const command = { type: 'CreateShoe', data: { shoeId, name, brand }, metadata: { now, userId } } as const;
    return this.runner.run({
      shoeId,
      now,
      lockKeys: [`shoe-name:${nameKey}`],
      idempotency: idempotencyKey ? { userId, mutation: 'createShoe', key: idempotencyKey, input: { name, brand } } : undefined,
      decide: async (tx, shoe) => createShoe(command, { shoe, nameTakenBy: await loadNameOwner(tx, nameKey) }),
    });
  }
}
