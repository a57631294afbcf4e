/** Too many mutations from one user or address: API.md's RATE_LIMITED, with seconds to wait. */
export class RateLimitedError extends Error {
  constructor(
    readonly scope: 'user' | 'address',
    readonly retryAfterSeconds: number,
  ) {
    super(`too many mutations from this ${scope}; retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}
