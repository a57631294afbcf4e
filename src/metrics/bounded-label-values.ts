/**
 * Caps how many distinct values a label may take. Every label value is a separate time series in
 * Prometheus, so a value that comes from clients (an operation name is client text) must not be able
 * to create series without bound: the first `max` distinct values are kept as they are, and every
 * later new value is reported as `overflow`. First come, first kept: the names a service actually
 * uses show up early, and it takes a restart to forget junk.
 */
export class BoundedLabelValues {
  private readonly kept = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly overflow = 'other',
  ) {}

  /** `value` itself if it is (or can still become) one of the kept values, else the overflow value. */
  of(value: string): string {
    if (this.kept.has(value)) return value;
    if (this.kept.size >= this.max) return this.overflow;
    this.kept.add(value);
    return value;
  }
}
