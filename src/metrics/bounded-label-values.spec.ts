import { BoundedLabelValues } from './bounded-label-values';

describe('BoundedLabelValues', () => {
  it('keeps the first `max` distinct values and reports every later new one as the overflow value', () => {
    const names = new BoundedLabelValues(2);
    expect(['A', 'B', 'A', 'C', 'B', 'D'].map((name) => names.of(name))).toEqual(['A', 'B', 'A', 'other', 'B', 'other']);
  });

  it('takes a custom overflow value', () => {
    const names = new BoundedLabelValues(0, 'too_many');
    expect(names.of('A')).toBe('too_many');
  });
});
