import type { FitSize, ShoeEvent } from './shoe.events';

/**
 * CONTRACT (to be implemented by the domain work): state, evolve and helpers.
 *
 * Two views of a shoe:
 * - `ShoeDecisionState`: the little a command needs, loaded by the handler from tables written in the
 *   append transaction (so a command never folds the whole stream; its cost does not grow with ratings).
 * - `Shoe`: the full fold of a stream (`evolve`), used by rebuilds and tests as the source of truth.
 */
export type TrueToSizeStats = {
  count: number;
  sum: number;
  /** counts of sizes 1..5, index 0 = size 1 */
  distribution: [number, number, number, number, number];
};

export type Shoe =
  | { status: 'absent' }
  | {
      status: 'existing';
      shoeId: string;
      name: string;
      brand: string | null;
      version: number;
      stats: TrueToSizeStats;
      /** current rating per signed-in user (imported ratings are anonymous and not in here) */
      ratingsByUser: Record<string, FitSize>;
    };

export type ShoeDecisionState =
  | { status: 'absent' }
  | { status: 'existing'; shoeId: string; name: string; brand: string | null; version: number };
