import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { ShoeCommand } from '../domain';
import type { ShoeRow } from '../read-model/shoe-row';
import { RatingGroupCommit } from '../write/rating-group-commit';
import { ShoeWritePipeline } from '../write/shoe-write-pipeline';
import { planShoeWrite } from './shoe-write-plans';

/**
 * The CommandBus message of every shoe mutation: the domain command itself (ids and time included), unchanged,
 * plus the client's idempotency key where the mutation takes one. Answers with the shoe as the write left it.
 */
export class WriteShoeCommand extends Command<ShoeRow> {
  constructor(
    readonly command: ShoeCommand,
    readonly idempotencyKey: string | null = null,
  ) {
    super();
  }
}

@CommandHandler(WriteShoeCommand)
export class WriteShoeHandler implements ICommandHandler<WriteShoeCommand> {
  constructor(
    private readonly pipeline: ShoeWritePipeline,
    private readonly ratings: RatingGroupCommit,
  ) {}

  execute({ command, idempotencyKey }: WriteShoeCommand): Promise<ShoeRow> {
    const plan = planShoeWrite(command, idempotencyKey); // checks the key and names before any lock or query
    return plan.groupCommit ? this.ratings.run(plan) : this.pipeline.runOne(plan);
  }
}
