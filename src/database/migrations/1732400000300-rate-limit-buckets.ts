import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token buckets for the mutation rate limits (src/rate-limit/rate-limit-buckets.sql.ts), shared by every
 * instance so N instances enforce one limit. `tokens` is the level at `updated_at`; the refill since then is
 * computed on the next take. A missing row is a full bucket, which is why full buckets can be deleted.
 *
 * UNLOGGED: a bucket is worth nothing after a crash (all of them start full again, which only loosens the limit
 * for one minute), and a statement that writes only unlogged tables writes no WAL, so its commit waits for no
 * fsync: the check costs a round trip, not a disk flush. Caveat: unlogged tables are not replicated, so after a
 * failover to a standby the buckets start full too. No index besides the key, so every take is a HOT update.
 */
export class RateLimitBuckets1732400000300 implements MigrationInterface {
  name = 'RateLimitBuckets1732400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_buckets (
        scope text NOT NULL CHECK (scope IN ('user', 'address')),
        subject text NOT NULL,
        tokens double precision NOT NULL,
        taken boolean NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (scope, subject)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_buckets`);
  }
}
