import { Histogram, Registry } from 'prom-client';
import { BulkHistogram } from './bulk-histogram';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

describe('BulkHistogram', () => {
  it('given the same observations as prom-client’s Histogram, then the exposition is identical', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const bulk = new BulkHistogram('lag_seconds', 'How late.', BUCKETS, ours);
    const reference = new Histogram({ name: 'lag_seconds', help: 'How late.', buckets: BUCKETS, registers: [theirs] });
    expect(await ours.metrics()).toBe(await theirs.metrics()); // all zero

    for (const [value, times] of [[0.003, 5], [0.02, 1], [0.5, 1000], [7, 2], [100, 3], [0, 4]] as const) {
      bulk.observe(value, times);
      for (let i = 0; i < times; i++) reference.observe(value);
    }
    // value × times and `times` additions may differ in the last binary digit of the sum: compare it apart.
    const [oursText, theirsText] = [await ours.metrics(), await theirs.metrics()];
    const sumOf = (text: string) => Number(/^lag_seconds_sum (\S+)$/m.exec(text)?.[1]);
    const withoutSum = (text: string) => text.replace(/^lag_seconds_sum .*$/m, '');
    expect(withoutSum(oursText)).toBe(withoutSum(theirsText));
    expect(sumOf(oursText)).toBeCloseTo(sumOf(theirsText), 9);

    bulk.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('given a value that is not a number, or no observations, then nothing is counted', async () => {
    const registry = new Registry();
    const bulk = new BulkHistogram('lag_seconds', 'How late.', BUCKETS, registry);
    bulk.observe(Number.NaN, 3);
    bulk.observe(1, 0);
    expect(await registry.metrics()).toContain('lag_seconds_count 0');
  });
});
