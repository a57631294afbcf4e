import { UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { randomUUID } from 'node:crypto';
import { AdminGuard, CurrentUser, SignedInGuard } from '../../auth/auth.guards';
import type { Identity } from '../../auth/identity';
import { parseId } from '../../graphql/invalid-argument.error';
import { MutationRateLimitGuard } from '../../rate-limit/mutation-rate-limit.guard';
import { WriteShoeCommand } from '../commands/write-shoe.handler';
import type { CommandMetadata, ShoeCommand } from '../domain';
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
 * Writes: each resolver builds one domain command (with its id and time) for the CommandBus and returns the
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
    const data = { shoeId: randomUUID(), name: input.name, brand: input.brand ?? null };
    return this.write({ type: 'CreateShoe', data, metadata: metadataOf(user) }, input.idempotencyKey);
  }

  @Mutation(() => ShoeModel, {
    description: 'Admin only. Renames a shoe (event ShoeRenamed). Requires an admin token (UNAUTHENTICATED without a valid token, FORBIDDEN for a non-admin); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.',
  })
  @UseGuards(MutationRateLimitGuard, AdminGuard)
  async renameShoe(@Args('input', { description: 'The shoe and its new name.' }) input: RenameShoeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const data = { shoeId: parseId('id', input.id), name: input.name, expectedVersion: input.expectedVersion ?? null };
    return this.write({ type: 'RenameShoe', data, metadata: metadataOf(user) });
  }

  @Mutation(() => ShoeModel, {
    description:
      "Any signed-in user. Sets the caller's one current rating of the shoe (event TrueToSizeSubmitted), replacing an earlier one. Requires a signed-in user's token (UNAUTHENTICATED without a valid one); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.",
  })
  @UseGuards(MutationRateLimitGuard, SignedInGuard)
  async submitTrueToSize(@Args('input', { description: 'The shoe and the rating.' }) input: SubmitTrueToSizeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const data = { shoeId: parseId('shoeId', input.shoeId), userId: user.userId, size: input.size };
    return this.write({ type: 'SubmitTrueToSize', data, metadata: metadataOf(user) });
  }

  @Mutation(() => ShoeModel, {
    description:
      "Any signed-in user. Withdraws the caller's current rating of the shoe (event TrueToSizeRetracted). Requires a signed-in user's token (UNAUTHENTICATED without a valid one); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.",
  })
  @UseGuards(MutationRateLimitGuard, SignedInGuard)
  async retractTrueToSize(@Args('input', { description: 'The shoe.' }) input: RetractTrueToSizeInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const data = { shoeId: parseId('shoeId', input.shoeId), userId: user.userId };
    return this.write({ type: 'RetractTrueToSize', data, metadata: metadataOf(user) });
  }

  @Mutation(() => ShoeModel, {
    description:
      'Admin only. Adds 1..10000 anonymous historic ratings in bulk (one event TrueToSizesImported). Requires an admin token (UNAUTHENTICATED without a valid token, FORBIDDEN for a non-admin); NOT_FOUND for an unknown shoe; RATE_LIMITED (extensions.retryAfter) past the rate limits.',
  })
  @UseGuards(MutationRateLimitGuard, AdminGuard)
  async importTrueToSizes(@Args('input', { description: 'The shoe and the ratings.' }) input: ImportTrueToSizesInput, @CurrentUser() user: Identity): Promise<ShoeModel> {
    const data = { shoeId: parseId('shoeId', input.shoeId), sizes: input.sizes };
    return this.write({ type: 'ImportTrueToSizes', data, metadata: metadataOf(user) }, input.idempotencyKey);
  }

  private async write(command: ShoeCommand, idempotencyKey?: string | null): Promise<ShoeModel> {
    return toShoeModel(await this.commandBus.execute(new WriteShoeCommand(command, idempotencyKey ?? null)));
  }
}

const metadataOf = (user: Identity): CommandMetadata => ({ now: new Date(), userId: user.userId });
