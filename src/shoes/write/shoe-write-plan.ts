import type { ShoeCommand, ShoeDecisionState } from '../domain';
import type { IdempotencyKey } from '../read-model/idempotency-keys';

/**
 * What one command asks of the write pipeline (shoe-write-pipeline.ts), declared before anything runs
 * (commands/shoe-write-plans.ts makes it): which stream, which locks, what state to load. `decide` itself is
 * always the domain's, so a plan holds no behaviour but the one key that depends on what is loaded.
 */
export type ShoeWritePlan = {
  command: ShoeCommand;
  /** The shoe stream written, lower case (the store's and the read model's key). */
  streamId: string;
  /** The client's idempotency key, and the hash of the request it came with (a replay must match it). */
  idempotency: (IdempotencyKey & { requestHash: string }) | null;
  /** Load this user's current rating of the shoe (ratings); null: none. */
  ratingOf: string | null;
  /**
   * The (brand, name) uniqueness key whose holder decide needs, from the loaded shoe (a rename keeps the
   * shoe's brand, known only once the shoe is loaded under its lock); locked before it is read. null: none.
   */
  nameKey: ((shoe: ShoeDecisionState) => string) | null;
  /** Ratings, the hot write, share transactions with concurrent ones (rating-group-commit.ts); others run alone. */
  groupCommit: boolean;
};

/** The advisory lock keys of a plan's idempotency key and of a name key. */
export const idempotencyLockKey = ({ userId, mutation, key }: IdempotencyKey): string => `idempotency:${userId}:${mutation}:${key}`;
export const nameLockKey = (nameKey: string): string => `shoe-name:${nameKey}`;
