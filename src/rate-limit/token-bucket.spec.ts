import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('given a full bucket, when the limit is spent, then the next call waits for one token to refill', () => {
    const buckets = new TokenBuckets(3, clock);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')].every((t) => t.allowed)).toBe(true);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 20 });
  });

  it('given a spent bucket, when retryAfter has passed, then one more call is allowed', () => {
    const buckets = new TokenBuckets(60, clock);
    for (let i = 0; i < 60; i++) buckets.take('a');
    const refused = buckets.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const buckets = new TokenBuckets(1, clock);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('b').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('given a limit of 0, then nothing is limited', () => {
    const buckets = new TokenBuckets(0, clock);
    for (let i = 0; i < 1000; i++) expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.size).toBe(0);
  });

  it('forgets buckets that refilled completely', () => {
    const buckets = new TokenBuckets(2, clock);
    buckets.take('a');
    buckets.take('b');
    now += 59_000;
    buckets.take('b'); // b spends again just before the sweep; a has been idle for a minute
    now += 1_000;
    buckets.sweep();
    expect(buckets.size).toBe(1);
  });
});
