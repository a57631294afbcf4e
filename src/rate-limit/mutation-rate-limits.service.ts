import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { RateLimitedError } from './rate-limited.error';
import { TokenBuckets } from './token-bucket';

/**
 * RATE_LIMIT_USER_PER_MINUTE and RATE_LIMIT_ADDRESS_PER_MINUTE for mutations (reads and subscriptions are not
 * limited here). The address limit also covers callers without a valid token, so guessing tokens costs too.
 */
@Injectable()
export class MutationRateLimits implements OnModuleDestroy {
  private readonly byUser: TokenBuckets;
  private readonly byAddress: TokenBuckets;
  private readonly sweeper: NodeJS.Timeout;

  constructor(config: AppConfigService) {
    const { userPerMinute, addressPerMinute } = config.settings.rateLimit;
    this.byUser = new TokenBuckets(userPerMinute);
    this.byAddress = new TokenBuckets(addressPerMinute);
    this.sweeper = setInterval(() => [this.byUser, this.byAddress].forEach((b) => b.sweep()), 60_000).unref();
  }

  /** Spends one mutation of the caller's allowance, or throws RateLimitedError. */
  check(address: string | null, userId: string | null): void {
    const byAddress = address === null ? { allowed: true as const } : this.byAddress.take(address);
    if (!byAddress.allowed) throw new RateLimitedError('address', byAddress.retryAfterSeconds);
    const byUser = userId === null ? { allowed: true as const } : this.byUser.take(userId);
    if (!byUser.allowed) throw new RateLimitedError('user', byUser.retryAfterSeconds);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }
}
