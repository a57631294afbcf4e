import { formatProgress, progressMeter, RebuildProgress } from './rebuild-progress';

describe('progressMeter', () => {
  it('reports at the first tick, then at most once per interval, asking for what remains only when it reports', () => {
    let now = 0;
    const reports: RebuildProgress[] = [];
    const remaining = jest.fn(() => 900);
    const tick = progressMeter((p) => reports.push(p), 1000, () => now);
    now = 500;
    tick('building', 100, 'p1', remaining);
    now = 1400;
    tick('building', 400, 'p2', remaining); // 900 ms after the report: too early
    now = 1500;
    tick('building', 600, 'p3', remaining);
    expect(remaining).toHaveBeenCalledTimes(2);
    expect(reports).toEqual([
      { phase: 'building', events: 100, eventsPerSecond: 200, position: 'p1', remaining: 900, etaSeconds: 4.5 },
      { phase: 'building', events: 600, eventsPerSecond: 500, position: 'p3', remaining: 900, etaSeconds: 1.8 },
    ]);
  });

  it('costs nothing without a listener', () => {
    const remaining = jest.fn(() => 1);
    progressMeter(undefined)('building', 1, null, remaining);
    expect(remaining).not.toHaveBeenCalled();
  });
});

describe('formatProgress', () => {
  it('prints rate, position, what remains and the ETA on one line', () => {
    const line = formatProgress({ phase: 'catching up', events: 1200, eventsPerSecond: 400, position: 'MTIzOjQ1', remaining: 30, etaSeconds: 0.075 });
    expect(line).toBe('rebuild catching up: 1200 events, 400 events/s, position MTIzOjQ1, 30 remaining, ETA 0.1 s');
    expect(formatProgress({ phase: 'building', events: 0, eventsPerSecond: 0, position: null, remaining: 5, etaSeconds: null })).toBe(
      'rebuild building: 0 events, 0 events/s, position start, 5 remaining, ETA unknown',
    );
  });
});
