import { UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { randomUUID } from 'node:crypto';
import { AdminGuard, CurrentUser, SignedInGuard } from '../../auth/auth.guards';
import type { Identity } from '../../auth/identity';
import { parseId } from '../../graphql/invalid-argument.error';
import { MutationRateLimitGuard } from '../../rate-limit/mutation-rate-limit.guard';
import { CreateShoeCommand } from '../commands/create-shoe.handler';
import { ImportTrueToSizesCommand } from '../commands/import-true-to-sizes.handler';
import { RenameShoeCommand } from '../commands/rename-shoe.handler';
import { RetractTrueToSizeCommand } from '../commands/retract-true-to-size.handler';
import { SubmitTrueToSizeCommand } from '../commands/submit-true-to-size.handler';
import {
  CreateShoeInput,
  ImportTrueToSizesInput,
  RenameShoeInput,
  RetractTrueToSizeInput,
  SubmitTrueToSizeInput,
} from './shoe.inputs';
import { toShoeModel } from './shoe.mapper';
import { ShoeModel } from './shoe.model';

/**
 * Writes: each resolver builds one command (with its id and time) for the CommandBus and returns the
 * shoe as the same transaction left it. Validation of content is the domain's; ids are checked here.
 */
@Resolver(() => ShoeModel)
export class ShoeMutationsResolver {
  constructor(private readonly commandBus: CommandBus) {}

  @Mutation(() => ShoeModel, {
    description: 'Admin only. Creates a shoe (event ShoeCreated, version 1). Requires an admin token (UNAUTHENTICATED without a valid token, FORBIDDEN for a non-admin); RATE_LIMITED (extensions.retryAfter) past the rate limits.',
  })
  @UseGuards(MutationRateLimitGuard, AdminGuard)
  async createShoe(@Args('input', { description: 'The new shoe.' }) input: CreateShoeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const command = new CreateShoeCommand(
      { name: input.name, brand: input.brand ?? null, idempotencyKey: input.idempotencyKey ?? null },
      user.userId,
      randomUUID(),
      new Date(),
    );
    return toShoeModel(await this.commandBus.execute(command));
  }

  @Mutation(() => ShoeModel, {
    description: 'Admin only. Renames a shoe (event ShoeRenamed). Requires an admin token (UNAUTHENTICATED without a valid token, FORBIDDEN for a non-admin); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.',
  })
  @UseGuards(MutationRateLimitGuard, AdminGuard)
  async renameShoe(@Args('input', { description: 'The shoe and its new name.' }) input: RenameShoeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const shoeId = parseId('id', input.id);
    const command = new RenameShoeCommand({ shoeId, name: input.name, expectedVersion: input.expectedVersion ?? null }, user.userId, new Date());
    return toShoeModel(await this.commandBus.execute(command));
  }

  @Mutation(() => ShoeModel, {
    description:
      "Any signed-in user. Sets the caller's one current rating of the shoe (event TrueToSizeSubmitted), replacing an earlier one. Requires a signed-in user's token (UNAUTHENTICATED without a valid one); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.",
  })
  @UseGuards(MutationRateLimitGuard, SignedInGuard)
  async submitTrueToSize(@Args('input', { description: 'The shoe and the rating.' }) input: SubmitTrueToSizeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const command = new SubmitTrueToSizeCommand({ shoeId: parseId('shoeId', input.shoeId), size: input.size }, user.userId, new Date());
    return toShoeModel(await this.commandBus.execute(command));
  }

  @Mutation(() => ShoeModel, {
    description:
      "Any signed-in user. Withdraws the caller's current rating of the shoe (event TrueToSizeRetracted). Requires a signed-in user's token (UNAUTHENTICATED without a valid one); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.",
  })
  @UseGuards(MutationRateLimitGuard, SignedInGuard)
  async retractTrueToSize(@Args('input', { description: 'The shoe.' }) input: RetractTrueToSizeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const command = new RetractTrueToSizeCommand({ shoeId: parseId('shoeId', input.shoeId) }, user.userId, new Date());
    return toShoeModel(await this.commandBus.execute(command));
  }

  @Mutation(() => ShoeModel, {
    description:
      'Admin only. Adds 1..10000 anonymous historic ratings in bulk (one event TrueToSizesImported). Requires an admin token (UNAUTHENTICATED without a valid token, FORBIDDEN for a non-admin); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.',
  })
  @UseGuards(MutationRateLimitGuard, AdminGuard)
  async importTrueToSizes(@Args('input', { description: 'The shoe and the ratings.' }) input: ImportTrueToSizesInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const command = new ImportTrueToSizesCommand(
      { shoeId: parseId('shoeId', input.shoeId), sizes: input.sizes, idempotencyKey: input.idempotencyKey ?? null },
      user.userId,
      new Date(),
    );
    return toShoeModel(await this.commandBus.execute(command));
  }
}
