import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLContext } from '../auth/graphql-context';
import { MutationRateLimits } from './mutation-rate-limits.service';

/** Put before the auth guards on every mutation: a refused token still spends its address's allowance. */
@Injectable()
export class MutationRateLimitGuard implements CanActivate {
  constructor(private readonly limits: MutationRateLimits) {}

  canActivate(execution: ExecutionContext): boolean {
    const { address, identity } = GqlExecutionContext.create(execution).getContext<GraphQLContext>();
    this.limits.check(address, identity?.userId ?? null);
    return true;
  }
}
