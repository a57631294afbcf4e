/** Where a rebuild stands, as the CLI prints it on stderr. */
export type RebuildProgress = {
  /** What it is doing: 'building' (folding below the horizon) or 'catching up' (writers held back). */
  phase: string;
  /** Events applied so far. */
  events: number;
  /** Since the previous report (the first: since the start). */
  eventsPerSecond: number;
  /** The last event applied: a log cursor; null before the first. */
  position: string | null;
  /** Events still to apply (an estimate while writers append). */
  remaining: number;
  /** remaining / eventsPerSecond; null when nothing moves. */
  etaSeconds: number | null;
};

export type ProgressListener = (progress: RebuildProgress) => void;

/**
 * A progress listener rate-limited to one report per `intervalMs` (the first one at the first tick, so even a short
 * rebuild shows one). `remaining` is a callback: it runs only when a report is actually due.
 */
export function progressMeter(listener: ProgressListener | undefined, intervalMs = 1000, now: () => number = Date.now) {
  let [lastAt, lastEvents, reported] = [now(), 0, false];
  return (phase: string, events: number, position: string | null, remaining: () => number): void => {
    const at = now();
    if (!listener || (reported && at - lastAt < intervalMs)) return;
    const eventsPerSecond = Math.round((events - lastEvents) / (Math.max(at - lastAt, 1) / 1000));
    const left = Math.max(0, Math.round(remaining()));
    listener({ phase, events, eventsPerSecond, position, remaining: left, etaSeconds: eventsPerSecond > 0 ? left / eventsPerSecond : null });
    [lastAt, lastEvents, reported] = [at, events, true];
  };
}

/** One line, e.g. `rebuild building: 12000 events, 4100 events/s, position MTIzOjQ1, 3400 remaining, ETA 0.8 s`. */
export function formatProgress(p: RebuildProgress): string {
  const eta = p.etaSeconds === null ? 'ETA unknown' : `ETA ${p.etaSeconds < 10 ? p.etaSeconds.toFixed(1) : Math.round(p.etaSeconds)} s`;
  return `rebuild ${p.phase}: ${p.events} events, ${p.eventsPerSecond} events/s, position ${p.position ?? 'start'}, ${p.remaining} remaining, ${eta}`;
}
