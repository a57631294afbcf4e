import { Global, Module } from '@nestjs/common';
import { MutationRateLimitGuard } from './mutation-rate-limit.guard';
import { MutationRateLimits } from './mutation-rate-limits.service';

@Global()
@Module({ providers: [MutationRateLimits, MutationRateLimitGuard], exports: [MutationRateLimits, MutationRateLimitGuard] })
export class RateLimitModule {}
