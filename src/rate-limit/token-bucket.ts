/**
 * Per-key token buckets: each key may spend `perMinute` tokens a minute, refilled continuously, so a client
 * that waits `retryAfter` seconds is sure to get through (no fixed-window bursts at minute boundaries).
 * In memory, per instance: N instances allow up to N × the limit (see README, "Scaling out").
 */
export type Take = { allowed: true } | { allowed: false; retryAfterSeconds: number };

type Bucket = { tokens: number; at: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): Take {
    if (this.perMinute <= 0) return { allowed: true }; // 0 turns the limit off
    const now = this.now();
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Forgets full buckets (a key idle for a minute): memory follows active clients, not every client ever seen. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) if (this.level(bucket, now) >= this.perMinute) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = this.level(bucket, now);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private level(bucket: Bucket, now: number): number {
    return Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
  }
}
