import type { Metric, Registry } from 'prom-client';

/**
 * A label-less histogram that takes many observations of one value in one call. prom-client's Histogram costs a
 * closure, a label hash and a validation per observation; the delivery lag is observed once per event *per
 * subscriber* (half a million times a second under L), always with the same value for one event. Registered on a
 * prom-client Registry as a custom metric, it is exposed exactly as prom-client exposes a Histogram without labels
 * (cumulative `_bucket{le}` lines, `+Inf`, `_sum`, `_count`; zeros from the start, nothing after a reset until the
 * next observation).
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
    const values = this.upperBounds.map((bound, i) => {
      cumulative += this.counts[i];
      return { labels: { le: bound }, value: cumulative, metricName: bucketName };
    });
    values.push(
      { labels: { le: '+Inf' } as unknown as { le: number }, value: this.count, metricName: bucketName },
      { labels: {} as { le: number }, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {} as { le: number }, value: this.count, metricName: `${this.name}_count` },
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
