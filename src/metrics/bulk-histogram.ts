import type { Metric, Registry } from 'prom-client';

/**
 * A label-less histogram that takes many observations of one value in one call. prom-client's Histogram costs a
 * closure, a label hash and a validation per observation; the delivery lag is observed once per event *per
 * subscriber* (half a million times a second under L), always with the same value for one event. Registered on a
 * prom-client Registry as a custom metric, it is exposed exactly as prom-client exposes a Histogram without labels
 * (cumulative `_bucket{le}` lines, `+Inf`, `_sum`, `_count`; zeros from the start, nothing after a reset until the
 * next observation).
 *
 * Adapter, and why: prom-client has no public way to add many observations at once, and its Registry's typings
 * accept only its own four metric classes, while the Registry itself reads any metric through the same few members
 * (name, help, type, aggregator, get(), reset()). So this one class is registered with a cast, and its spec checks
 * that its exposition is byte for byte that of prom-client's own Histogram: a prom-client that reads metrics
 * differently fails there, not in production.
 */
export class BulkHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private counts: number[];
  private sum = 0;
  private count = 0;
  private exposed = true;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    this.counts = upperBounds.map(() => 0);
    registry.registerMetric(this as unknown as Metric<string>);
  }

  /** `times` observations of `value`. */
  observe(value: number, times = 1): void {
    if (!Number.isFinite(value) || !(times > 0)) return;
    this.exposed = true;
    const bucket = this.upperBounds.findIndex((bound) => value <= bound);
    if (bucket >= 0) this.counts[bucket] += times;
    this.sum += value * times;
    this.count += times;
  }

  /** What prom-client's Registry reads at scrape time. */
  async get() {
    if (!this.exposed) return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [] };
    let cumulative = 0;
    const bucketName = `${this.name}_bucket`;
    const values: { labels: { le?: number | '+Inf' }; value: number; metricName: string }[] = this.upperBounds.map((bound, i) => {
      cumulative += this.counts[i];
      return { labels: { le: bound }, value: cumulative, metricName: bucketName };
    });
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: bucketName },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts = this.upperBounds.map(() => 0);
    this.sum = 0;
    this.count = 0;
    this.exposed = false;
  }
}
