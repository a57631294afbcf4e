import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLContext } from '../auth/graphql-context';
import { MutationRateLimits } from './mutation-rate-limits.service';

/** Put before the auth guards on every mutation: a refused token still spends its address's allowance. */
@Injectable()
export class MutationRateLimitGuard implements CanActivate {
  constructor(private readonly limits: MutationRateLimits) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const { address, identity } = GqlExecutionContext.create(execution).getContext<GraphQLContext>();
    await this.limits.check(address, identity?.userId ?? null);
    return true;
  }
}
