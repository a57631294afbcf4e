import type { FitSize } from './shoe.events';
import type { TrueToSizeStats } from './shoe';

/** Most sizes one import may carry (keeps one event, and one append, bounded). */
export const MAX_IMPORT_SIZES = 10000;

export function isFitSize(n: unknown): n is FitSize {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5;
}

export function emptyStats(): TrueToSizeStats {
  return { count: 0, sum: 0, distribution: [0, 0, 0, 0, 0] };
}

export function addRating(stats: TrueToSizeStats, size: FitSize): TrueToSizeStats {
  return withBucket(stats, size, +1);
}

/** Throws when no rating of that size is counted: the events disagree with each other (a bug, not user input). */
export function removeRating(stats: TrueToSizeStats, size: FitSize): TrueToSizeStats {
  if (stats.distribution[size - 1] === 0) {
    throw new Error(`cannot remove a rating of size ${size}: none is counted`);
  }
  return withBucket(stats, size, -1);
}

/** The TrueToSize calculation: plain IEEE sum/count, no rounding (sums of small integers are exact). */
export function averageOf(stats: TrueToSizeStats): number | null {
  return stats.count === 0 ? null : stats.sum / stats.count;
}

function withBucket(stats: TrueToSizeStats, size: FitSize, delta: 1 | -1): TrueToSizeStats {
  const distribution: TrueToSizeStats['distribution'] = [...stats.distribution];
  distribution[size - 1] += delta;
  return { count: stats.count + delta, sum: stats.sum + delta * size, distribution };
}
