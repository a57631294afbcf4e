import type { FitSize } from './shoe.events';

/** The statistics of a shoe's current ratings (the TrueToSize calculation's input), owned here with their rules. */
export type TrueToSizeStats = {
  count: number;
  sum: number;
  /** counts of sizes 1..5, index 0 = size 1 */
  distribution: [number, number, number, number, number];
};

/** Most sizes one import may carry (keeps one event, and one append, bounded). */
export const MAX_IMPORT_SIZES = 10000;

export function isFitSize(n: unknown): n is FitSize {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5;
}

export function emptyStats(): TrueToSizeStats {
  return { count: 0, sum: 0, distribution: [0, 0, 0, 0, 0] };
}

export function addRating(stats: TrueToSizeStats, size: FitSize): TrueToSizeStats {
  const copy = copyStats(stats);
  countRating(copy, size, +1);
  return copy;
}

/** Throws when no rating of that size is counted: the events disagree with each other (a bug, not user input). */
export function removeRating(stats: TrueToSizeStats, size: FitSize): TrueToSizeStats {
  const copy = copyStats(stats);
  countRating(copy, size, -1);
  return copy;
}

/**
 * addRating (+1) or removeRating (-1) on statistics the caller owns (a fold): changes `stats` itself, with
 * the same rules and errors, and throws before changing anything.
 */
export function countRating(stats: TrueToSizeStats, size: FitSize, delta: 1 | -1): void {
  if (delta < 0 && stats.distribution[size - 1] === 0) {
    throw new Error(`cannot remove a rating of size ${size}: none is counted`);
  }
  stats.count += delta;
  stats.sum += delta * size;
  stats.distribution[size - 1] += delta;
}

export function copyStats(stats: TrueToSizeStats): TrueToSizeStats {
  return { count: stats.count, sum: stats.sum, distribution: [...stats.distribution] as TrueToSizeStats['distribution'] };
}

/** The TrueToSize calculation: plain IEEE sum/count, no rounding (sums of small integers are exact). */
export function averageOf(stats: TrueToSizeStats): number | null {
  return stats.count === 0 ? null : stats.sum / stats.count;
}
